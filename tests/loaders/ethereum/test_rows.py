"""The pure transform on hand-built blocks: what moves value, fees and burns, exact amounts."""

from __future__ import annotations

from typing import Any

import pytest

from chaintrail.errors import FormatError
from loaders.ethereum.address import ZERO_ADDRESS, contract_address
from loaders.ethereum.amounts import limbs, value_key
from loaders.ethereum.model import (
    BlockData,
    BlockHeader,
    Log,
    Receipt,
    Trace,
    Transaction,
    Withdrawal,
)
from loaders.ethereum.rows import END_OF_BLOCK, TRANSFER_TOPIC, block_rows

MINER = "0x" + "11" * 20
A, B, C, TOKEN = ("0x" + c * 20 for c in ("aa", "bb", "cc", "70"))
BIG = 2**70 + 12345  # above 64 bits
GWEI = 10**9


def h(n: int) -> str:
    return "0x" + f"{n:064x}"


def word(address: str) -> str:
    return "0x" + address[2:].rjust(64, "0")


def tx(n: int, frm: str, to: str | None, value: int, **kw: Any) -> Transaction:
    return Transaction(hash=h(n), block_number=100, transaction_index=n, from_address=frm,
                       to_address=to, value=value, nonce=n, gas_price=kw.pop("gas_price", None),
                       **kw)


def receipt(n: int, status: int | None, gas_used: int, price: int,
            created: str | None = None) -> Receipt:
    return Receipt(transaction_hash=h(n), transaction_index=n, block_number=100, status=status,
                   gas_used=gas_used, effective_gas_price=price, contract_address=created)


def block(txs: list[Transaction], receipts: list[Receipt], base_fee: int | None = None,
          **kw: Any) -> BlockData:
    header = BlockHeader(number=100, hash=h(10**6), parent_hash=h(10**6 - 1), timestamp=1_700,
                         miner=MINER, transaction_count=len(txs), base_fee_per_gas=base_fee,
                         withdrawals=kw.pop("withdrawals", ()))
    return BlockData(100, header=header, transactions={t.hash: t for t in txs},
                     receipts={r.transaction_hash: r for r in receipts},
                     parts={"blocks", "transactions", "receipts", "logs"}, **kw)


def moved(data: BlockData) -> dict[str, tuple[str, str, str, int]]:
    return {t["id"]: (t["kind"], t["from"], t["to"], int(t["value"]))
            for t in block_rows(data).transfers}


def fees(data: BlockData) -> dict[str, tuple[str, str, int, int, int]]:
    """The fees booked on the transactions: hash -> (sender, miner, paid, tip, burnt)."""
    out = {}
    for r in block_rows(data).transactions:
        if r["fee_paid"] is not None:
            assert (r["fee_paid_limbs"], r["tip_limbs"]) == (limbs(int(r["fee_paid"])),
                                                             limbs(int(r["tip"])))
            out[r["hash"]] = (r["from"], r["miner"], int(r["fee_paid"]), int(r["tip"]),
                              int(r["burnt"]))
    return out


def test_after_london_the_tip_goes_to_the_miner_and_the_base_fee_is_burnt() -> None:
    base, tip = 30 * GWEI, 2 * GWEI
    data = block([tx(0, A, B, BIG), tx(1, A, C, 5)],
                 [receipt(0, 1, 21_000, base + tip), receipt(1, 0, 25_000, base + tip)],
                 base_fee=base)
    assert moved(data) == {h(0): ("native", A, B, BIG)}  # fees are not transfers
    assert fees(data) == {
        h(0): (A, MINER, 21_000 * (base + tip), 21_000 * tip, 21_000 * base),
        # a failed transaction pays its fee and moves nothing else
        h(1): (A, MINER, 25_000 * (base + tip), 25_000 * tip, 25_000 * base),
    }
    assert block_rows(data).counts["fee"] == 2
    rows = block_rows(data)
    b = rows.blocks[0]
    assert (b["tx_count"], b["output_value"]) == (2, str(BIG + 5))  # every tx's value field
    t0 = next(t for t in rows.transfers if t["id"] == h(0))
    assert (t0["value"], t0["value_key"], t0["limbs"]) == (str(BIG), value_key(BIG), limbs(BIG))
    assert (t0["seq"], t0["time"], t0["asset"]) == (100 * 100_000, 1_700, "ETH")
    assert rows.failed == [h(1)]
    assert [(r["hash"], r["status"], r["fee"]) for r in rows.transactions] == [
        (h(0), 1, str(21_000 * (base + tip))), (h(1), 0, str(25_000 * (base + tip)))]
    assert [r["seq"] for r in rows.transactions] == [100 * 100_000, 100 * 100_000 + 1]
    assert rows.accounts == {A: "eoa", B: None, C: None, MINER: None}  # burnt: no account


def test_before_london_the_whole_fee_goes_to_the_miner() -> None:
    data = block([tx(0, A, B, 7, gas_price=50 * GWEI)], [receipt(0, None, 21_000, 50 * GWEI)])
    assert moved(data) == {h(0): ("native", A, B, 7)}
    fee = 21_000 * 50 * GWEI
    assert fees(data) == {h(0): (A, MINER, fee, fee, 0)}
    assert block_rows(data).transactions[0]["status"] is None  # before Byzantium: unknown


def test_a_type_2_price_without_the_receipt_price_is_computed_from_the_fee_caps() -> None:
    t = tx(0, A, B, 1, max_fee_per_gas=40 * GWEI, max_priority_fee_per_gas=3 * GWEI,
           transaction_type=2)
    r = Receipt(h(0), 0, 100, 1, 21_000, None, None)
    assert fees(block([t], [r], base_fee=30 * GWEI))[h(0)][3] == 21_000 * 3 * GWEI


def test_contract_creation_pays_the_created_contract() -> None:
    new = "0x" + "ee" * 20
    rows = block_rows(block([tx(0, A, None, 9)], [receipt(0, 1, 60_000, GWEI, created=new)]))
    assert (rows.transfers[0]["to"], rows.accounts[new]) == (new, "contract")
    # without a receipt that names it, the address is computed from sender and nonce
    data = block([tx(3, A, None, 9)], [])
    assert moved(data) == {h(3): ("native", A, contract_address(A, 3), 9)}


def test_erc20_transfers_come_from_three_topic_logs_and_erc721_ones_are_skipped() -> None:
    logs = [
        Log(h(0), 0, 0, 100, TOKEN, (TRANSFER_TOPIC, word(A), word(B)), f"0x{BIG:064x}"),
        Log(h(0), 0, 1, 100, TOKEN, (TRANSFER_TOPIC, word(A), word(B), h(7)), "0x"),  # ERC-721
        Log(h(0), 0, 2, 100, TOKEN, (h(99), word(A), word(B)), f"0x{5:064x}"),  # other event
        Log(h(0), 0, 3, 100, TOKEN, (TRANSFER_TOPIC, word(B), word(C)), f"0x{0:064x}"),
    ]
    data = block([tx(0, A, TOKEN, 0)], [receipt(0, 1, 50_000, GWEI)], logs=logs)
    rows = block_rows(data)
    erc20 = {t["id"]: (t["asset"], t["from"], t["to"], t["value"]) for t in rows.transfers
             if t["kind"] == "erc20"}
    # a zero-value Transfer is kept: that is how address poisoning looks on chain
    assert erc20 == {f"{h(0)}:0": (TOKEN, A, B, str(BIG)), f"{h(0)}:3": (TOKEN, B, C, "0")}
    assert rows.counts["erc721_skipped"] == 1
    assert rows.blocks[0]["token_transfer_count"] == 2
    assert rows.accounts[TOKEN] == "contract"


def test_internal_transfers_follow_the_trace_status_and_the_transaction_status() -> None:
    def trace(n: int, path: tuple[int, ...], frm: str, to: str, value: int,
              error: str | None = None, call_type: str = "call") -> Trace:
        return Trace(100, h(n), n, path, "call", call_type, frm, to, value, error, 1)

    traces = [
        trace(0, (), A, C, 10), trace(0, (0,), C, B, 4),
        trace(0, (1,), C, B, 3, error="Reverted"), trace(0, (1, 0), B, A, 1),  # undone
        trace(0, (2,), C, C, 5, call_type="callcode"),  # no value between accounts
        trace(1, (), A, C, 2), trace(1, (0,), C, B, 2),  # in a failed transaction
        Trace(100, None, None, (), "reward", None, None, MINER, 2 * 10**18, None, 1, "block"),
    ]
    data = block([tx(0, A, C, 10), tx(1, A, C, 2)],
                 [receipt(0, 1, 50_000, GWEI), receipt(1, 0, 50_000, GWEI)],
                 traces=traces, withdrawals=(Withdrawal(7, 1, B, 3 * GWEI),))
    got = {k: v for k, v in moved(data).items() if v[0] not in ("fee",)}
    assert got == {
        h(0): ("native", A, C, 10),
        f"{h(0)}:0": ("internal", C, B, 4),
        "100:reward:0": ("reward", ZERO_ADDRESS, MINER, 2 * 10**18),
        "100:withdrawal:7": ("withdrawal", ZERO_ADDRESS, B, 3 * 10**18),
    }
    rows = block_rows(data)
    assert {t["id"]: t["tx_index"] for t in rows.transfers if t["tx_hash"] is None} == {
        "100:reward:0": END_OF_BLOCK, "100:withdrawal:7": END_OF_BLOCK}
    assert rows.counts["reverted_internal"] == 3  # (1), (1, 0) and the failed tx's (0)


def test_inconsistent_blocks_are_refused_naming_them() -> None:
    data = block([tx(0, A, B, 1)], [receipt(0, 1, 21_000, GWEI)])
    assert data.header is not None
    data.header = BlockHeader(100, h(1), h(2), 1, MINER, transaction_count=3, where="f.csv line 4")
    with pytest.raises(FormatError, match=r"f.csv line 4: block 100 has 3 transactions but 1"):
        block_rows(data)
    below = block([tx(0, A, B, 1)], [receipt(0, 1, 21_000, GWEI)], base_fee=2 * GWEI)
    with pytest.raises(FormatError, match="below the burnt base fee"):
        block_rows(below)
