"""The Ethereum side of the stored lookups (lookup/block, transaction, address, tags with
chain 'ethereum'; batch/addresses, batch/tags; search/prefix) and the load queries
(cypher/load/ethereum/*) on a small hand-built chain written through the real loader, with
exact answers.

    block 7 (base fee 10 wei, miner M):
      tx0 B -> A 999,999,999 wei   (the largest base-10^9 limb)
      tx1 B -> A 1 wei             (the two carry into the next limb)
      tx2 B -> C 2^64 + 5 wei, C forwards 2^70 to A inside it (internal, trace [0])
      tx3 B -> T (token contract): T logs Transfer B -> A 2^255 twice, A -> C 1
      tx4 A -> C 3 wei
      withdrawal 0 -> B 10^6 gwei
    every transaction: gas used 21,000 at 12 wei: 2 wei a gas to M, 10 burnt (booked on the
    transaction: fees are not transfers)
"""

from __future__ import annotations

from typing import Any

import pytest

from chaintrail.errors import ParameterError
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
from tests.helpers import wipe, write_tags

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


BITCOIN_BLOCK = ("input_count", "output_count", "fee_total", "status", "version",
                 "merkle_root", "bits", "nonce", "size", "weight", "coinbase_value",
                 "inputs_resolved")
BITCOIN_TX = ("input_count", "output_count", "input_value", "inputs", "outputs",
              "is_coinbase", "version", "locktime", "size", "vsize", "weight", "stale")


def address(graph: Graph, address: str, **kw: Any) -> dict[str, Any]:
    (row,) = graph.read("lookup/address", {"address": address, "chain": "ethereum", **kw})
    return row


def balances(graph: Graph, address_: str, **kw: Any) -> dict[str, dict[str, Any]]:
    return {b.pop("asset"): b for b in address(graph, address_, **kw)["balances"]}


def test_block_lookup(eth: Graph) -> None:
    by_number = eth.read("lookup/block", {"height": 7, "chain": "ethereum"})
    assert by_number == [{
        "hash": BLOCK_HASH, "height": 7, "time": 1_700_000_000, "tx_count": 5,
        "output_value": str(999_999_999 + 1 + 2**64 + 5 + 3), "token_transfer_count": 3,
        "miner": M, "prev_hash": "0x" + "b6" * 32, "base_fee_per_gas": BASE,
        "gas_used": 5 * GAS, "withdrawal_count": 1, "first_txid": h(0), "last_txid": h(4),
        "parts": ["blocks", "logs", "receipts", "traces", "transactions"],
        **dict.fromkeys(BITCOIN_BLOCK)}]
    assert list(by_number[0]) == list(eth.registry["lookup/block"].columns)
    assert eth.read("lookup/block", {"hash": BLOCK_HASH.upper().replace("0X", "0x"),
                                     "chain": "ETHEREUM"}) == by_number
    assert eth.read("lookup/block", {"height": 8, "chain": "ethereum"}) == []
    assert eth.read("lookup/block", {"height": 7}) == []  # the Bitcoin side: no such block
    with pytest.raises(ParameterError, match="must be one of bitcoin, ethereum"):
        eth.read("lookup/block", {"height": 7, "chain": "eth"})


def test_transaction_lookup_lists_every_transfer_of_the_transaction(eth: Graph) -> None:
    (t,) = eth.read("lookup/transaction", {"txid": h(2), "chain": "ethereum"})
    assert {k: t[k] for k in BITCOIN_TX} == dict.fromkeys(BITCOIN_TX)
    assert (t["txid"], t["height"], t["block_hash"], t["tx_index"], t["time"], t["status"],
            t["from"], t["to"], t["value"], t["output_value"], t["nonce"], t["gas_price"],
            t["gas_used"], t["fee"], t["effective_gas_price"], t["contract_address"]) == (
        h(2), 7, BLOCK_HASH, 2, 1_700_000_000, 1, B, C, str(2**64 + 5), str(2**64 + 5), 2,
        str(PRICE), GAS, str(GAS * PRICE), str(PRICE), None)

    def eth_transfer(id_: str, kind: str, frm: str, to: str | None,
                     value: int) -> dict[str, Any]:
        return {"id": id_, "kind": kind, "asset": "ETH", "from": frm, "to": to,
                "value": str(value), "symbol": None, "decimals": 18}

    assert t["transfers"] == [
        eth_transfer(f"{h(2)}:burn", "burn", B, None, GAS * BASE),  # the fee, listed
        eth_transfer(f"{h(2)}:fee", "fee", B, M, GAS * (PRICE - BASE)),
        eth_transfer(f"{h(2)}:0", "internal", C, A, 2**70),
        eth_transfer(h(2), "native", B, C, 2**64 + 5),
    ]
    (t3,) = eth.read("lookup/transaction", {"txid": h(3).upper().replace("0X", "0x"),
                                            "chain": "ethereum"})
    assert [(x["kind"], x["from"], x["to"], x["value"], x["symbol"], x["decimals"])
            for x in t3["transfers"] if x["kind"] == "erc20"] == [
        ("erc20", B, A, str(2**255), "TKN", 6), ("erc20", B, A, str(2**255), "TKN", 6),
        ("erc20", A, C, "1", "TKN", 6)]
    assert eth.read("lookup/transaction", {"txid": h(99), "chain": "ethereum"}) == []
    assert eth.read("lookup/transaction", {"txid": h(2)[2:]}) == []  # Bitcoin: none


def test_eth_block_transactions_in_block_order(eth: Graph) -> None:
    def page(**kw: Any) -> list[tuple[Any, ...]]:
        return [(r["index"], r["txid"], r["from"], r["to"], r["contract_address"], r["value"],
                 r["fee_paid"], r["status"], r["gas_used"])
                for r in eth.read("lookup/eth_block_transactions", {"number": 7, **kw})]

    fee = str(GAS * PRICE)
    want = [(i, h(i), f, t, None, str(v), fee, 1, GAS) for i, (f, t, v) in enumerate(
        [(B, A, 999_999_999), (B, A, 1), (B, C, 2**64 + 5), (B, T, 0), (A, C, 3)])]
    assert page() == want
    assert page(skip=1, limit=2) == want[1:3]
    assert page(skip=5) == []
    assert eth.read("lookup/eth_block_transactions", {"number": 8}) == []


def test_account_transfers_page_in_time_order(eth: Graph) -> None:
    def page(address: str, **kw: Any) -> list[tuple[Any, ...]]:
        rows = eth.read("lookup/account_transfers", {"address": address, **kw})
        return [(r["direction"], r["counterparty"], r["asset"], r["kind"], r["value"],
                 r["block"], r["tx_index"], r["tx_hash"], r["total"]) for r in rows]

    native = [("in", B, "ETH", "native", "999999999", 7, 0, h(0), 7),
              ("in", B, "ETH", "native", "1", 7, 1, h(1), 7),
              ("in", C, "ETH", "internal", str(2**70), 7, 2, h(2), 7)]
    tokens = [("in", B, T, "erc20", str(2**255), 7, 3, h(3), 7),
              ("in", B, T, "erc20", str(2**255), 7, 3, h(3), 7),
              ("out", C, T, "erc20", "1", 7, 3, h(3), 7)]
    last = [("out", C, "ETH", "native", "3", 7, 4, h(4), 7)]
    assert page(A) == native + tokens + last
    assert page(A, skip=2, limit=2) == (native + tokens)[2:4]
    assert page(A, skip=7) == []
    rows = eth.read("lookup/account_transfers", {"address": A})
    assert len({r["id"] for r in rows}) == 7 and rows[2]["id"] == f"{h(2)}:0"
    only_eth = [(*r[:-1], 4) for r in native + last]
    assert page(A, asset="ETH") == only_eth
    assert [r[:5] for r in page(C, asset=T)] == [("in", A, T, "erc20", "1")]
    assert page("0x" + "12" * 20) == []


def test_balances_are_exact_across_limb_carries_and_beyond_2_256(eth: Graph) -> None:
    a = address(eth, A.upper().replace("0X", "0x"))
    received = 999_999_999 + 1 + 2**70
    sent = 3 + GAS * PRICE
    assert {k: v for k, v in a.items() if k != "balances"} == {
        "address": A, "script_type": None, "received": str(received), "sent": str(sent),
        "balance": str(received - sent), "tx_count": 5, "first_height": 7, "last_height": 7,
        "output_count": None, "unspent_count": None, "kind": "eoa", "token": None}
    assert a["balances"] == [
        {"asset": "ETH", "symbol": "ETH", "decimals": 18, "received": str(received),
         "sent": str(sent), "balance": str(received - sent), "transfers_in": 3,
         "transfers_out": 2},  # tx4's value and its fee
        {"asset": T, "symbol": "TKN", "decimals": 6, "received": str(2**256),
         "sent": "1", "balance": str(2**256 - 1), "transfers_in": 2, "transfers_out": 1},
    ]
    b = balances(eth, B)["ETH"]
    b_sent = 999_999_999 + 1 + 2**64 + 5 + 4 * GAS * PRICE  # tx0-tx3 and their fees
    assert (b["received"], b["sent"], b["balance"]) == (
        str(10**15), str(b_sent), str(10**15 - b_sent))  # negative: funded before block 7
    assert balances(eth, B, include_fees=False)["ETH"]["sent"] == str(b_sent - 4 * GAS * PRICE)
    zero = balances(eth, ZERO_ADDRESS)["ETH"]  # the withdrawal out; burnt fees reach no one
    assert (zero["balance"], zero["transfers_in"]) == (str(-10**15), 0)
    assert balances(eth, M)["ETH"]["balance"] == str(5 * GAS * (PRICE - BASE))
    only_token = address(eth, A, asset=T)
    assert [x["asset"] for x in only_token["balances"]] == [T]
    assert (only_token["received"], only_token["tx_count"]) == (None, 1)
    assert list(balances(eth, A, asset="eth")) == ["ETH"]
    # a token contract's own metadata; an account without transfers has no balances
    token = address(eth, T)
    assert (token["kind"], token["token"], token["balances"], token["balance"],
            token["tx_count"]) == ("contract", {"symbol": "TKN", "name": "Token", "decimals": 6},
                                   [], "0", 0)
    assert eth.read("lookup/address", {"address": "0x" + "12" * 20, "chain": "ethereum"}) == []
    assert eth.read("lookup/address", {"address": A}) == []  # the Bitcoin side: none


def test_batch_addresses_answers_as_lookup_address(eth: Graph) -> None:
    rows = eth.read("batch/addresses", {"addresses": [A, C, "0x" + "12" * 20, T],
                                        "chain": "ethereum"})
    assert [r["address"] for r in rows] == [A, C, T]
    for r in rows:
        one = address(eth, r["address"])
        assert {k: r[k] for k in ("received", "sent", "balance", "tx_count", "first_height",
                                  "last_height", "kind", "token", "balances")} == {
            k: one[k] for k in ("received", "sent", "balance", "tx_count", "first_height",
                                "last_height", "kind", "token", "balances")}
    assert eth.read("batch/addresses", {"addresses": [A]}) == []  # Bitcoin: none


def test_tags_of_accounts(eth: Graph) -> None:
    write_tags(eth, [
        {"id": "x", "address": C, "label": "Mixer", "category": "mixer", "confidence": 50,
         "source": "s", "currency": "ETH"},
        {"id": "y", "address": C, "label": "OFAC SDN", "category": "sanctioned",
         "confidence": 60, "source": "ofac", "currency": "ETH"}])
    try:
        assert eth.read("batch/tags", {"addresses": [C, A], "chain": "ethereum"}) == [
            {"address": C, "tags": [
                {"label": "OFAC SDN", "category": "sanctioned", "source": "ofac",
                 "confidence": 60, "abuse": None},
                {"label": "Mixer", "category": "mixer", "source": "s", "confidence": 50,
                 "abuse": None}]}]
        assert [(r["label"], r["via_address"], r["inherited"]) for r in eth.read(
            "lookup/tags", {"address": C, "chain": "ethereum"})] == [
            ("OFAC SDN", C, False), ("Mixer", C, False)]
        assert eth.read("batch/tags", {"addresses": [C]}) == []
        # search finds accounts, transactions and blocks by 0x prefix, tags by label
        hits = eth.read("search/prefix", {"text": "0xCCcc", "limit": 5})
        assert hits == [{"kind": "account", "id": C, "label": "contract", "height": None,
                         "category": None}]
        assert eth.read("search/prefix", {"text": h(2)}) == [
            {"kind": "eth_transaction", "id": h(2), "label": "7", "height": 7,
             "category": None}]
        assert [r["id"] for r in eth.read("search/prefix", {"text": h(2)[:-1],
                                                            "limit": 2})] == [h(0), h(1)]
        assert eth.read("search/prefix", {"text": "0xB7B7"}) == [
            {"kind": "eth_block", "id": BLOCK_HASH, "label": "7", "height": 7,
             "category": None}]
        assert eth.read("search/prefix", {"text": "ofac"}) == [
            {"kind": "tag", "id": C, "label": "OFAC SDN", "height": None,
             "category": "sanctioned"}]
    finally:
        with eth.driver.session(database=eth.database) as s:
            s.run("MATCH (t:Tag) DETACH DELETE t").consume()


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
    assert props("MATCH (t:EthTransaction {hash: $h}) RETURN t.fee_paid", h=h(4)) \
        == str(GAS * PRICE)  # its fee stays paid


def test_transfers_written_before_their_blocks_time_get_it_with_the_block(eth: Graph) -> None:
    """load/ethereum/untimed_transfers remembers them on the block, once; load/ethereum/blocks
    gives them the time when it comes and forgets them."""
    def run(name: str, rows: list[Any]) -> None:
        eth.write(lambda tx: eth.run_write(tx, name, {"rows": rows}), name)

    def one(query: str) -> Any:
        with eth.driver.session(database=eth.database) as s:
            return s.run(query).single()[0]  # type: ignore[index]

    block = {"number": 900, "hash": None, "parent_hash": None, "time": None, "miner": None,
             "gas_used": None, "base_fee_per_gas": None, "tx_count": None,
             "output_value": None, "token_transfer_count": None, "withdrawal_count": None,
             "parts": ["traces"]}
    ids = [f"{h(90)}:0", f"{h(90)}:1"]
    try:
        run("load/ethereum/blocks", [block])
        run("load/ethereum/new_transfers", [{
            "id": i, "kind": "internal", "asset": "ETH", "from": C, "to": B, "value": "1",
            "value_key": "1".zfill(78), "limbs": [1] + [0] * 8, "block": 900, "tx_index": 0,
            "seq": 90_000_000, "time": None, "tx_hash": h(90)} for i in ids])
        for _ in range(2):  # the same traces loaded again: remembered once
            run("load/ethereum/untimed_transfers", [{"block": 900, "ids": ids}])
        assert one("MATCH (b:EthBlock {number: 900}) RETURN b.untimed") == ids
        run("load/ethereum/untimed_transfers", [{"block": 7, "ids": ["x"]}])  # has a time
        assert one("MATCH (b:EthBlock {number: 7}) RETURN b.untimed") is None
        run("load/ethereum/blocks", [{**block, "hash": h(91), "time": 1_700_000_123,
                                      "parts": ["blocks", "traces"]}])
        assert one("MATCH ()-[t:TRANSFER]->() WHERE t.block = 900 "
                   "RETURN collect(DISTINCT t.time)") == [1_700_000_123]
        assert one("MATCH (b:EthBlock {number: 900}) RETURN b.untimed") is None
    finally:
        with eth.driver.session(database=eth.database) as s:
            s.run("MATCH ()-[t:TRANSFER]->() WHERE t.block = 900 DELETE t").consume()
            s.run("MATCH (b:EthBlock {number: 900}) DELETE b").consume()


def test_transfers_written_without_a_tx_index_take_their_transactions_later(
        eth: Graph) -> None:
    """load/ethereum/unindexed_transfers remembers them on the block, once, and gives them
    the index and seq of their transaction once it is in the graph."""
    def run(name: str, rows: list[Any]) -> None:
        eth.write(lambda tx: eth.run_write(tx, name, {"rows": rows}), name)

    def one(query: str) -> Any:
        with eth.driver.session(database=eth.database) as s:
            return s.run(query).single()[0]  # type: ignore[index]

    ids = [f"{h(95)}:0", f"{h(96)}:1"]
    try:
        with eth.driver.session(database=eth.database) as s:
            s.run("CREATE (:EthBlock {number: 901, parts: ['token_transfers']})").consume()
        run("load/ethereum/new_transfers", [{
            "id": i, "kind": "erc20", "asset": T, "from": A, "to": B, "value": "1",
            "value_key": "1".zfill(78), "limbs": [1] + [0] * 8, "block": 901,
            "tx_index": None, "seq": 90_100_000, "time": 5, "tx_hash": i.split(":")[0]}
            for i in ids])
        for _ in range(2):  # the same export loaded again: remembered once
            run("load/ethereum/unindexed_transfers", [{"block": 901, "ids": ids}])
        assert one("MATCH (b:EthBlock {number: 901}) RETURN b.unindexed") == ids
        with eth.driver.session(database=eth.database) as s:  # one transaction comes
            s.run("MATCH (b:EthBlock {number: 901}) CREATE (:EthTransaction {hash: $h, "
                  "tx_index: 3, seq: 90100003})-[:IN_BLOCK]->(b)", h=h(96)).consume()
        run("load/ethereum/unindexed_transfers", [{"block": 901, "ids": []}])
        assert one("MATCH ()-[t:TRANSFER]->() WHERE t.block = 901 WITH t ORDER BY t.id "
                   "RETURN collect([t.tx_index, t.seq])") == [[None, 90_100_000],
                                                              [3, 90_100_003]]
        assert one("MATCH (b:EthBlock {number: 901}) RETURN b.unindexed") == [ids[0]]
        # a row without an index keeps the one a transfer has (a token_transfers export
        # loaded again after the transactions)
        run("load/ethereum/transfers", [{
            "id": ids[1], "kind": "erc20", "asset": T, "from": A, "to": B, "value": "1",
            "value_key": "1".zfill(78), "limbs": [1] + [0] * 8, "block": 901,
            "tx_index": None, "seq": 90_100_000, "time": 5, "tx_hash": h(96)}])
        assert one(f"MATCH ()-[t:TRANSFER {{id: '{ids[1]}'}}]->() "
                   "RETURN [t.tx_index, t.seq]") == [3, 90_100_003]
    finally:
        with eth.driver.session(database=eth.database) as s:
            s.run("MATCH ()-[t:TRANSFER]->() WHERE t.block = 901 DELETE t").consume()
            s.run("MATCH (b:EthBlock {number: 901}) DETACH DELETE b").consume()
            s.run("MATCH (t:EthTransaction {hash: $h}) DELETE t", h=h(96)).consume()


def test_fees_whose_parts_came_in_other_runs_are_booked_from_the_graph(eth: Graph) -> None:
    """load/ethereum/unbooked_fees lists a block's transactions without a booked fee and the
    parts the graph holds; load/ethereum/book_fees books the ones with every part."""
    try:
        with eth.driver.session(database=eth.database) as s:
            s.run("CREATE (b:EthBlock {number: 902, miner: $m, base_fee_per_gas: 10}) "
                  "CREATE (:EthTransaction {hash: $h1, `from`: $a, gas_used: 21000, "
                  "effective_gas_price: '30', blob_fee: '7'})-[:IN_BLOCK]->(b) "
                  "CREATE (:EthTransaction {hash: $h2, `from`: $a})-[:IN_BLOCK]->(b) "
                  "CREATE (:EthTransaction {hash: $h3, gas_used: 5, "
                  "effective_gas_price: '1'})-[:IN_BLOCK]->(b) "
                  "CREATE (:EthTransaction {hash: $h4, `from`: $a, gas_used: 1, "
                  "effective_gas_price: '1', fee_paid: '1'})-[:IN_BLOCK]->(b)",
                  m=M, a=A, h1=h(97), h2=h(98), h3=h(99), h4=h(100)).consume()
        rows = eth.write(lambda tx: eth.run_read(tx, "load/ethereum/unbooked_fees",
                                                 {"numbers": [902, 903]}), "read")
        assert sorted(rows, key=lambda r: r["hash"]) == [
            {"hash": h(97), "sender": A, "gas_used": 21000, "price": "30", "blob_fee": "7",
             "miner": M, "base_fee": 10},
            {"hash": h(98), "sender": A, "gas_used": None, "price": None, "blob_fee": None,
             "miner": M, "base_fee": 10},
            {"hash": h(99), "sender": None, "gas_used": 5, "price": "1", "blob_fee": None,
             "miner": M, "base_fee": 10}]
        writer = EthereumWriter(eth)
        counts = eth.write(lambda tx: writer.book_fees(tx, [902]), "book")
        writer.close()
        assert counts == {"fee": 1, "fee_unknown": 1}
        with eth.driver.session(database=eth.database) as s:
            got = s.run("MATCH (t:EthTransaction {hash: $h}) RETURN t {.fee, .miner, "
                        ".fee_paid, .fee_paid_limbs, .tip, .tip_limbs, .burnt} AS t",
                        h=h(97)).single()["t"]  # type: ignore[index]
        assert got == {"fee": "630000", "miner": M, "fee_paid": "630007",
                       "fee_paid_limbs": [630007] + [0] * 8, "tip": "420000",
                       "tip_limbs": [420000] + [0] * 8, "burnt": "210007"}
    finally:
        with eth.driver.session(database=eth.database) as s:
            s.run("MATCH (b:EthBlock {number: 902}) OPTIONAL MATCH (b)<-[:IN_BLOCK]-(t) "
                  "DETACH DELETE b, t").consume()


@pytest.mark.parametrize(("name", "params", "expect"), [
    ("lookup/block", {"height": 7}, [BLOCK_HASH, str(999_999_999 + 1 + 2**64 + 5 + 3)]),
    ("lookup/transaction", {"txid": h(2)}, [h(2), str(2**64 + 5)]),
    ("lookup/address", {"address": A}, [A, str(2**256 - 1)]),
    ("lookup/tags", {"address": C}, ["Pasted", C]),
])
def test_an_analyst_can_paste_the_ethereum_query_into_cypher_shell(
    eth: Graph, neo4j_settings: Any, tmp_path: Any, name: str, params: dict[str, Any],
    expect: list[str],
) -> None:
    """The file with `:param chain => 'ethereum'` runs as is in cypher-shell and gives the
    stored query's answer."""
    import subprocess

    from db.distribution import distribution_dir

    q = eth.registry[name]
    given = {**params, "chain": "ethereum"}
    with eth.driver.session(database=eth.database) as s:
        s.run("MATCH (a:Account {address: $a}) MERGE (:Tag {id: 'paste', label: 'Pasted', "
              "confidence: 1})-[:TAGS]->(a)", a=C).consume()
    script = tmp_path / "paste.cypher"
    script.write_text(q.usage(q.bind(given)) + "\n" + q.text)
    assert ":param chain => 'ethereum'" in script.read_text()
    lib = distribution_dir(neo4j_settings) / "lib"
    proc = subprocess.run(
        ["java", "-cp", f"{lib}/*", "org.neo4j.shell.Main", "-a", neo4j_settings.neo4j_uri,
         "-u", neo4j_settings.neo4j_user,
         "-p", neo4j_settings.neo4j_password.get_secret_value(), "--format", "plain",
         "-f", str(script)],
        capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    header, *lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert header.split(", ")[: len(q.columns)] == list(q.columns)
    assert len(lines) == len(eth.read(name, given))
    for text in expect:
        assert text in lines[0]
