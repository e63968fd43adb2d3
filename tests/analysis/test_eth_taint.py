"""Taint on account chains: poison, haircut and FIFO over balances, per asset.

Pure tests of analysis.account_taint (FIFO against a unit-by-unit simulation, haircut's
conservation, on random account chains), then exact answers on a hand-built chain through
the stored queries:

    block idx  transfer
      1    0   K -> B   300 wei   clean, before the taint
      2    0   H -> B   100 wei   the source (H: the thief)
      2    1   H -> B  1000 TOK   the same thief, another asset
      3    0   B -> M    10 wei   fee of B's transaction (paid first)
      3    0   B -> C   200 wei
      4    0   K -> B    50 wei   clean
      4    1   B -> C   400 TOK
      5    0   B -> D   150 wei
      6    0   C -> D    80 wei
      6    1   C -> D   100 TOK
      7    0   C -> E     5 wei   ... and E -> C 5 wei at block 2 (idx 2): before the taint
      8    0   D -> M   100 wei   fee of D's transaction
"""

from __future__ import annotations

import random
from collections import deque
from fractions import Fraction
from typing import Any

import pytest

from analysis.account_taint import (
    AccountSubgraph,
    AccountWindow,
    Transfer,
    account_taint,
    transfer_order,
)
from analysis.accounts import ZERO_ADDRESS, Window
from analysis.taint import TaintLimits, taint
from chaintrail.errors import LimitError, NotFound, ParameterError
from cypher.runner import Graph
from tests.analysis.ethchain import T, acct, write_chain
from tests.helpers import wipe

# ---- pure -------------------------------------------------------------------------------------


def random_chain(rng: random.Random, n: int) -> tuple[list[Transfer], list[str]]:
    accounts = [f"0x{i:040x}" for i in range(1, 6)]
    out = []
    for i in range(n):
        a, b = rng.sample(accounts, 2)
        kind = rng.choice(["native", "native", "internal", "fee"])
        block = rng.randrange(1, 30)
        sub = {"native": "", "internal": f":{rng.randrange(3)}", "fee": ":fee"}[kind]
        out.append(Transfer(f"0x{block:032x}{i:032x}{sub}", kind, a, b, rng.randrange(0, 40),
                            block * 100_000 + i % 3))
    return out, accounts


def units_fifo(transfers: list[Transfer], source: Transfer,
               accounts: list[str]) -> tuple[dict[str, int], int, int, int]:
    """FIFO one wei at a time: each account a queue of units (tainted or not)."""
    queues: dict[str, deque[bool]] = {a: deque() for a in accounts}
    rows: dict[str, int] = {}
    fees = overlap = 0
    for t in sorted(transfers, key=transfer_order):
        q = queues[t.frm]
        moved = [q.popleft() if q else False for _ in range(t.value)]
        if t.id == source.id:
            overlap += sum(moved)
            moved = [True] * t.value
        elif t.kind == "fee":
            fees += sum(moved)
            moved = [False] * t.value
        elif any(moved):
            rows[t.id] = sum(moved)
        queues[t.to].extend(moved)
    return rows, sum(sum(q) for q in queues.values()), fees, overlap


def whole(accounts: list[str]) -> dict[str, AccountWindow]:
    return {a: AccountWindow(a, 0, 0) for a in accounts}


@pytest.mark.parametrize("seed", range(25))
def test_fifo_moves_exactly_the_units_a_unit_by_unit_queue_moves(seed: int) -> None:
    rng = random.Random(seed)
    transfers, accounts = random_chain(rng, 40)
    source = rng.choice([t for t in transfers if t.kind != "fee"])
    got = account_taint("fifo", AccountSubgraph("ETH", (source,), whole(accounts),
                                                tuple(transfers)))
    rows, held, fees, overlap = units_fifo(transfers, source, accounts)
    assert {r.transfer.id: r.exact for r in got.rows if r.exact} == rows
    assert (got.unspent, got.beyond, got.fees, got.overlap) == (held, 0, fees, overlap)
    assert got.source_value == got.unspent + got.beyond + got.fees + got.overlap


@pytest.mark.parametrize("seed", range(25))
def test_haircut_conserves_taint_and_never_exceeds_a_value(seed: int) -> None:
    rng = random.Random(seed)
    transfers, accounts = random_chain(rng, 40)
    source = rng.choice([t for t in transfers if t.kind != "fee"])
    # a part of the chain only: two accounts followed, one of them cut at block 15
    windows = {accounts[0]: AccountWindow(accounts[0], 0, 7),
               accounts[1]: AccountWindow(accounts[1], 500_000, -3, 1_500_002)}
    for method in ("haircut", "fifo"):
        got = account_taint(method, AccountSubgraph("ETH", (source,), windows,
                                                    tuple(transfers)))
        assert got.source_value == got.unspent + got.beyond + got.fees + got.overlap
        assert all(0 < r.exact <= r.transfer.value for r in got.rows)
        assert all(r.transfer.frm in windows for r in got.rows)


def test_poison_marks_every_later_transfer_out() -> None:
    a, b, c = (f"0x{i:040x}" for i in (1, 2, 3))
    ts = [Transfer("s", "native", c, a, 5, 100), Transfer("x0", "native", a, b, 7, 99),
          Transfer("x1", "native", a, b, 0, 101), Transfer("x2", "native", b, c, 2, 102)]
    got = account_taint("poison", AccountSubgraph("ETH", (ts[0],), whole([a, b, c]),
                                                  tuple(ts)))
    # x0 left a before the taint came; x1 is a zero amount, marked all the same, and it marks
    # b: everything b sends afterwards is tainted in full
    assert [(r.transfer.id, r.hop, r.exact) for r in got.rows] == [("x1", 1, 0), ("x2", 2, 2)]


# ---- on the graph -----------------------------------------------------------------------------

H, B, C, D, E, K, M = (acct(c) for c in ("1", "b", "c", "d", "e", "5", "9"))
TOK = acct("70")
SOURCE = T(H, B, 100, 2)
TOKEN_SOURCE = T(H, B, 1000, 2, 1, asset=TOK, kind="erc20", sub="0")
BC, BD, CD = T(B, C, 200, 3), T(B, D, 150, 5), T(C, D, 80, 6)
BC_TOK = T(B, C, 400, 4, 1, asset=TOK, kind="erc20", sub="0")
CD_TOK = T(C, D, 100, 6, 1, asset=TOK, kind="erc20", sub="0")
CHAIN = [T(K, B, 300, 1), SOURCE, TOKEN_SOURCE, T(B, M, 10, 3, kind="fee", sub="fee"), BC,
         T(K, B, 50, 4), BC_TOK, BD, CD, CD_TOK, T(E, C, 5, 2, 2), T(C, E, 5, 7),
         T(D, M, 100, 8, kind="fee", sub="fee")]


@pytest.fixture(scope="module")
def eth(graph: Graph) -> Graph:
    wipe(graph)
    write_chain(graph, CHAIN)
    return graph


def rows(d: dict[str, Any]) -> list[tuple[int, str, str, str, str]]:
    return [(r["hop"], r["transfer"], r["value"], r["tainted_value"], r["status"])
            for r in d["rows"]]


def totals(d: dict[str, Any]) -> tuple[str, ...]:
    return tuple(d[k] for k in ("tainted_in", "tainted_unspent", "tainted_beyond",
                                "tainted_fees", "source_overlap"))


@pytest.mark.neo4j
def test_fifo_takes_the_clean_balance_first(eth: Graph) -> None:
    d = taint(eth, "fifo", [SOURCE.id]).as_dict()
    # B's queue: 300 clean, then 100 tainted; the fee and C's 200 take clean units, K's 50
    # join the back; D's 150 take 90 clean and 60 tainted; D's fee of 100 takes 90 clean,
    # 10 tainted
    assert rows(d) == [(1, BD.id, "150", "60", "unspent")]
    assert totals(d) == ("100", "90", "0", "10", "0")
    assert (d["chain"], d["asset"], d["method"], d["sources"], d["transactions"]) == (
        "ethereum", "ETH", "fifo", [SOURCE.id], 1)
    assert (d["rows"][0]["from_address"], d["rows"][0]["address"]) == (B, D)


@pytest.mark.neo4j
def test_haircut_shares_in_proportion_to_the_balance(eth: Graph) -> None:
    d = taint(eth, "haircut", [SOURCE.id]).as_dict()
    fee_b = Fraction(100) * 10 / 400  # B holds 400, 100 of them tainted
    t_b = 100 - fee_b
    to_c = t_b * 200 / 390
    t_b -= to_c
    to_d = t_b * 150 / 240  # after K's 50: 190 + 50
    c_to_d = to_c * 80 / 205  # C: 5 clean from E before, then 200
    t_d = to_d + c_to_d
    fee_d = t_d * 100 / 230
    held = (t_b - to_d) + (to_c - c_to_d - (to_c - c_to_d) * 5 / 125) + (t_d - fee_d)
    to_e = (to_c - c_to_d) * 5 / 125  # C -> E at block 7, E not followed further
    assert rows(d) == [(1, BC.id, "200", str(int(to_c)), "unspent"),
                       (1, BD.id, "150", str(int(to_d)), "unspent"),
                       (2, CD.id, "80", str(int(c_to_d)), "unspent"),
                       (2, T(C, E, 5, 7).id, "5", str(int(to_e)), "unspent")]
    assert totals(d) == ("100", str(int(held + to_e)), "0", str(int(fee_b + fee_d)), "0")
    assert held + to_e + fee_b + fee_d == 100


@pytest.mark.neo4j
def test_poison_and_the_horizon(eth: Graph) -> None:
    d = taint(eth, "poison", [SOURCE.id]).as_dict()
    assert [(h, i, v, tv) for h, i, v, tv, _ in rows(d)] == [
        (1, BC.id, "200", "200"), (1, BD.id, "150", "150"), (2, CD.id, "80", "80"),
        (2, T(C, E, 5, 7).id, "5", "5")]
    assert d["tainted_fees"] == "110"  # B's fee after the taint, and D's
    one = taint(eth, "haircut", [SOURCE.id], TaintLimits(max_hops=1)).as_dict()
    assert [(i, s) for _, i, _, _, s in rows(one)] == [(BC.id, "beyond"), (BD.id, "beyond")]
    assert one["tainted_beyond"] == str(int(Fraction(975, 10) * 200 / 390
                                            + (Fraction(975, 10) * 190 / 390) * 150 / 240))


@pytest.mark.neo4j
def test_fifo_per_asset(eth: Graph) -> None:
    d = taint(eth, "fifo", [TOKEN_SOURCE.id]).as_dict()  # its own asset unless told
    assert d["asset"] == TOK
    assert rows(d) == [(1, BC_TOK.id, "400", "400", "unspent"),
                       (2, CD_TOK.id, "100", "100", "unspent")]
    assert totals(d) == ("1000", "1000", "0", "0", "0")
    eth_only = taint(eth, "fifo", [H]).as_dict()  # an account: all it sent, in ETH
    assert rows(eth_only)[0] == (1, SOURCE.id, "100", "100", "unspent")
    assert eth_only["tainted_in"] == "100" and eth_only["source_outputs"] == 1
    tok = taint(eth, "fifo", [H], asset=TOK).as_dict()
    assert [r[1] for r in rows(tok)] == [TOKEN_SOURCE.id, BC_TOK.id, CD_TOK.id]


@pytest.mark.neo4j
def test_windows_and_bad_input(eth: Graph) -> None:
    late = taint(eth, "fifo", [H], window=Window(from_block=3))
    assert late.source_value == 0 and late.rows == []  # H sent nothing from block 3 on
    with pytest.raises(ParameterError, match="one asset"):
        taint(eth, "haircut", [SOURCE.id], asset="*")
    # a transaction hash (the native transfer's id is the hash) takes ETH: the token's
    # transfer is then in another asset
    with pytest.raises(NotFound, match="asset ETH"):
        taint(eth, "haircut", [SOURCE.id, TOKEN_SOURCE.id])
    with pytest.raises(NotFound):
        taint(eth, "haircut", [TOKEN_SOURCE.id], asset="ETH")
    with pytest.raises(NotFound):
        taint(eth, "haircut", [acct("8")])
    with pytest.raises(ParameterError):
        taint(eth, "haircut", ["0x12"], chain="ethereum")
    with pytest.raises(LimitError):
        taint(eth, "haircut", [acct(f"{i:02x}") for i in range(21)])
    assert ZERO_ADDRESS not in {r["address"] for r in taint(eth, "poison", [H]).as_dict()["rows"]}


@pytest.mark.neo4j
def test_the_row_budget_cuts_whole_accounts_and_says_so(eth: Graph) -> None:
    # B's ETH transfers from the source on are 5 (the source, the fee and C's 200, K's 50,
    # D's 150); a budget of 7 leaves 2 for hop 2: C's first two (B's 200, its 80 to D), not
    # its 5 to E, and nothing of D
    d = taint(eth, "haircut", [SOURCE.id], TaintLimits(max_rows=7)).as_dict()
    assert [r["transfer"] for r in d["rows"]] == [BC.id, BD.id, CD.id]
    assert [r["status"] for r in d["rows"]] == ["beyond", "beyond", "beyond"]
    assert [t for t in d["truncation"] if t.startswith("rows:")] == [
        "rows: stopped at max_rows=7 transfers during hop 2; 1 account(s) of that hop were "
        f"not followed (e.g. {D}), nor any beyond, and the taint they received counts as "
        "beyond"]
    assert any(t.startswith("accounts: 1 account(s) have more transfers") for t in
               d["truncation"])  # C, cut before its transfer to E
    rounded = sum(int(d[k]) for k in ("tainted_unspent", "tainted_beyond", "tainted_fees",
                                      "source_overlap"))
    assert 0 <= int(d["tainted_in"]) - rounded <= 3  # each total rounded down on its own
    one = taint(eth, "fifo", [SOURCE.id], TaintLimits(max_rows=5)).as_dict()
    assert [(r["transfer"], r["status"]) for r in one["rows"]] == [(BD.id, "beyond")]
    assert one["truncation"][0].startswith("rows: stopped at max_rows=5 transfers during hop 2")
