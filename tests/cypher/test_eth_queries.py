"""The Ethereum queries (cypher/lookup/eth_*, cypher/load/ethereum/*) on a small hand-built
chain written through the real loader, with exact answers.

    block 7 (base fee 10 wei, miner M):
      tx0 B -> A 999,999,999 wei   (the largest base-10^9 limb)
      tx1 B -> A 1 wei             (the two carry into the next limb)
      tx2 B -> C 2^64 + 5 wei, C forwards 2^70 to A inside it (internal, trace [0])
      tx3 B -> T (token contract): T logs Transfer B -> A 2^255 twice, A -> C 1
      tx4 A -> C 3 wei
      withdrawal 0 -> B 10^6 gwei
    every transaction: gas used 21,000 at 12 wei: 2 wei a gas to M, 10 burnt (to 0x0)
"""

from __future__ import annotations

from typing import Any

import pytest

from cypher.runner import Graph
from loaders.ethereum.address import ZERO_ADDRESS
from loaders.ethereum.load import EthereumLoader, EthereumWriter, token_rows
from loaders.ethereum.model import (
    BlockData,
    BlockHeader,
    Log,
    Receipt,
    Token,
    Trace,
    Transaction,
    Withdrawal,
)
from loaders.ethereum.rows import TRANSFER_TOPIC
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j

A, B, C, M, T = ("0x" + c * 20 for c in ("aa", "bb", "cc", "99", "70"))
GAS, PRICE, BASE = 21_000, 12, 10
BLOCK_HASH = "0x" + "b7" * 32


def h(n: int) -> str:
    return "0x" + f"{n:064x}"


def word(address: str) -> str:
    return "0x" + address[2:].rjust(64, "0")


def block7() -> BlockData:
    values = [(B, A, 999_999_999), (B, A, 1), (B, C, 2**64 + 5), (B, T, 0), (A, C, 3)]
    txs = {h(i): Transaction(h(i), 7, i, f, t, v, nonce=i, gas_price=PRICE)
           for i, (f, t, v) in enumerate(values)}
    receipts = {h(i): Receipt(h(i), i, 7, 1, GAS, PRICE, None) for i in range(5)}
    logs = [Log(h(3), 3, n, 7, T, (TRANSFER_TOPIC, word(f), word(to)), f"0x{v:064x}")
            for n, (f, to, v) in enumerate([(B, A, 2**255), (B, A, 2**255), (A, C, 1)])]
    traces = [Trace(7, h(2), 2, (), "call", "call", B, C, 2**64 + 5, None, 1),
              Trace(7, h(2), 2, (0,), "call", "call", C, A, 2**70, None, 1)]
    header = BlockHeader(7, BLOCK_HASH, "0x" + "b6" * 32, 1_700_000_000, M,
                         transaction_count=5, gas_used=5 * GAS, base_fee_per_gas=BASE,
                         withdrawals=(Withdrawal(0, 1, B, 10**6),))
    return BlockData(7, header=header, transactions=txs, receipts=receipts, logs=logs,
                     traces=traces, parts={"blocks", "transactions", "receipts", "logs",
                                           "traces"})


@pytest.fixture(scope="module")
def eth(graph: Graph) -> Graph:
    wipe(graph)
    EthereumLoader(graph).load_blocks(iter([block7()]))  # a new block: the CREATE queries
    writer = EthereumWriter(graph)
    writer.write_tokens(token_rows([Token(T, "TKN", "Token", 6)], [C]))
    writer.close()
    return graph


def balances(graph: Graph, address: str, **kw: Any) -> dict[str, dict[str, Any]]:
    return {r.pop("asset"): r for r in graph.read("lookup/eth_balances",
                                                  {"address": address, **kw})}


def test_block_lookup(eth: Graph) -> None:
    by_number = eth.read("lookup/eth_block", {"number": 7})
    assert by_number == [{
        "hash": BLOCK_HASH, "height": 7, "time": 1_700_000_000, "tx_count": 5,
        "output_value": str(999_999_999 + 1 + 2**64 + 5 + 3), "token_transfer_count": 3,
        "miner": M, "parent_hash": "0x" + "b6" * 32, "base_fee_per_gas": BASE,
        "gas_used": 5 * GAS, "withdrawal_count": 1,
        "parts": ["blocks", "logs", "receipts", "traces", "transactions"]}]
    assert eth.read("lookup/eth_block", {"hash": BLOCK_HASH.upper().replace("0X", "0x")}) \
        == by_number
    assert eth.read("lookup/eth_block", {"number": 8}) == []


def test_transaction_lookup_lists_every_transfer_of_the_transaction(eth: Graph) -> None:
    (t,) = eth.read("lookup/eth_transaction", {"hash": h(2)})
    assert (t["block_number"], t["tx_index"], t["status"], t["from"], t["to"], t["value"],
            t["fee"], t["effective_gas_price"]) == (7, 2, 1, B, C, str(2**64 + 5),
                                                    str(GAS * PRICE), str(PRICE))
    assert t["transfers"] == [
        {"id": f"{h(2)}:burn", "kind": "fee", "asset": "ETH", "from": B, "to": ZERO_ADDRESS,
         "value": str(GAS * BASE)},
        {"id": f"{h(2)}:fee", "kind": "fee", "asset": "ETH", "from": B, "to": M,
         "value": str(GAS * (PRICE - BASE))},
        {"id": f"{h(2)}:0", "kind": "internal", "asset": "ETH", "from": C, "to": A,
         "value": str(2**70)},
        {"id": h(2), "kind": "native", "asset": "ETH", "from": B, "to": C,
         "value": str(2**64 + 5)},
    ]
    (t3,) = eth.read("lookup/eth_transaction", {"hash": h(3)})
    assert [(x["kind"], x["from"], x["to"], x["value"]) for x in t3["transfers"]
            if x["kind"] == "erc20"] == [("erc20", B, A, str(2**255)),
                                         ("erc20", B, A, str(2**255)), ("erc20", A, C, "1")]
    assert eth.read("lookup/eth_transaction", {"hash": h(99)}) == []


def test_balances_are_exact_across_limb_carries_and_beyond_2_256(eth: Graph) -> None:
    a = balances(eth, A.upper().replace("0X", "0x"))
    received = 999_999_999 + 1 + 2**70
    sent = 3 + GAS * PRICE
    assert a == {
        "ETH": {"address": A, "symbol": None, "decimals": 18, "received": str(received),
                "sent": str(sent), "balance": str(received - sent), "transfers_in": 3,
                "transfers_out": 3},
        T: {"address": A, "symbol": "TKN", "decimals": 6, "received": str(2**256),
            "sent": "1", "balance": str(2**256 - 1), "transfers_in": 2, "transfers_out": 1},
    }
    b = balances(eth, B)["ETH"]
    b_sent = 999_999_999 + 1 + 2**64 + 5 + 4 * GAS * PRICE  # tx0-tx3 and their fees
    assert (b["received"], b["sent"], b["balance"]) == (
        str(10**15), str(b_sent), str(10**15 - b_sent))  # negative: funded before block 7
    assert balances(eth, B, include_fees=False)["ETH"]["sent"] == str(b_sent - 4 * GAS * PRICE)
    zero = balances(eth, ZERO_ADDRESS)["ETH"]  # burnt fees in, the withdrawal out
    assert zero["balance"] == str(5 * GAS * BASE - 10**15)
    assert balances(eth, M)["ETH"]["balance"] == str(5 * GAS * (PRICE - BASE))
    assert list(balances(eth, A, asset=T)) == [T]
    assert balances(eth, "0x" + "12" * 20) == {}


def test_load_queries_keep_what_a_batch_does_not_know(eth: Graph) -> None:
    assert eth.read("load/ethereum/loaded_blocks", {"numbers": [6, 7]}) == [
        {"number": 7, "hash": BLOCK_HASH,
         "parts": ["blocks", "logs", "receipts", "traces", "transactions"]}]

    def run(name: str, rows: list[Any]) -> None:
        eth.write(lambda tx: eth.run_write(tx, name, {"rows": rows}), name)

    def props(query: str, **params: Any) -> Any:
        with eth.driver.session(database=eth.database) as s:
            return s.run(query, params).single()[0]  # type: ignore[index]

    run("load/ethereum/accounts", [{"address": A, "kind": None}])  # kind unknown: kept
    assert props("MATCH (a:Account {address: $a}) RETURN a.kind", a=A) == "eoa"
    run("load/ethereum/tokens", [{"address": T, "token": True, "symbol": None, "name": None,
                                  "decimals": None}])
    assert props("MATCH (t:Token {address: $a}) RETURN [t.symbol, t.decimals, t.kind]",
                 a=T) == ["TKN", 6, "contract"]
    assert props("MATCH (a:Account {address: $a}) RETURN labels(a)", a=C) == ["Account"]
    run("load/ethereum/blocks", [{"number": 7, "hash": None, "parent_hash": None, "time": None,
                                  "miner": None, "gas_used": None, "base_fee_per_gas": None,
                                  "tx_count": None, "output_value": None,
                                  "token_transfer_count": None, "withdrawal_count": None,
                                  "parts": ["blocks", "traces"]}])
    assert props("MATCH (b:EthBlock {number: 7}) RETURN [b.hash, b.time, b.parts]") == [
        BLOCK_HASH, 1_700_000_000, ["blocks", "traces"]]
    # a transfer written without a time (traces loaded after their block) takes the block's
    run("load/ethereum/transfers", [{
        "id": f"{h(4)}:0", "kind": "internal", "asset": "ETH", "from": C, "to": B,
        "value": "1", "value_key": "1".zfill(78), "limbs": [1] + [0] * 8, "block": 7,
        "tx_index": 4, "seq": 700004, "time": None, "tx_hash": h(4)}])
    assert props("MATCH ()-[t:TRANSFER {id: $i}]->() RETURN t.time", i=f"{h(4)}:0") \
        == 1_700_000_000
    # a transaction later known to have failed loses its native transfer
    run("load/ethereum/unmove_failed", [h(4)])
    assert props("MATCH ()-[t:TRANSFER {id: $i}]->() RETURN count(t)", i=h(4)) == 0
    assert props("MATCH ()-[t:TRANSFER {id: $i}]->() RETURN count(t)", i=f"{h(4)}:fee") == 1
