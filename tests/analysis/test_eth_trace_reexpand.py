"""An account reached again, after its expansion was cut, is asked only for the transfers it
has not read, and the answers are merged (analysis.trace: `_resume`, `_remember`).

Its own hand-built chain and module (test_eth_trace's module-scoped chain would be wiped by
this one, or this one by it, if the two shared a module). max_fanout is 2 throughout; every
amount is in wei unless said; W and Y are sinks (nothing out of W, nothing into Y).

Forward: S reaches the hub H late (hop 1, block 30), earlier through P (hop 2, block 20) and
earlier still through P -> R (hop 3, block 15); H's transfers out fall in three windows,
blocks [15, 20), [20, 30) and [30, ...), more than 2 of ETH in each of the last two:

    block idx  transfer
     10    0   S -> P     8
     12    0   P -> R     3
     15    0   R -> H     2
     15    0   H -> W     1  internal '0' of R -> H's transaction: in [15, 20)
     17    0   H -> W   200  the largest of all, read only at the third expansion
     20    0   P -> H     4
     20    0   H -> W    10  internal '0' of P -> H's transaction: in [20, 30)
     24    0   H -> W    95  larger than 90, kept earlier: replaces it
     25    0   H -> W  9000 TOK (erc20)
     26    0   H -> W    85  in the second window's top 2, not in the whole's
     30    0   S -> H     9
     30    0   H -> W    80  internal '0' of S -> H's transaction: in [30, ...)
     31    0   H -> W    90
     33    0   H -> W   100
     34-36 0   H -> W  7000, 6000, 5000 TOK (erc20)

Backward: K's money to Z is followed back from K at block 140 (hop 1), then from K at block
160 through J (hop 2); K's transfers in fall in two windows, blocks (..., 140] and (140, 160],
more than 2 in each:

    block idx  transfer
    133    0   Y -> K   100
    135    0   Y -> K    90
    140    0   K -> Z    50
    140    0   Y -> K    80  internal '0' of K -> Z's transaction: in (..., 140]
    145    0   Y -> K    85
    150    0   Y -> K    90  ties with block 135's 90: backward, the later one goes first
    160    0   K -> J    55
    160    0   Y -> K    10  internal '0' of K -> J's transaction: in (140, 160]
    170    0   J -> Z    60
"""

from __future__ import annotations

from typing import Any

import pytest

from analysis.steps import Steps
from analysis.trace import Trace, TraceLimits, trace, trace_steps
from cypher.runner import Graph
from tests.analysis.ethchain import T, acct, write_chain
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j

S, P, H, R, W = (acct(c) for c in ("5a", "5b", "5c", "5d", "5e"))
Z, K, J, Y = (acct(c) for c in ("6a", "6b", "6c", "6d"))
TOK = acct("7a")
LIMITS = TraceLimits(max_fanout=2)


def tok(value: int, block: int) -> T:
    return T(H, W, value, block, asset=TOK, kind="erc20", sub="0")


def internal(frm: str, to: str, value: int, block: int) -> T:
    return T(frm, to, value, block, kind="internal", sub="0")


SP, PR, RH, PH, SH = T(S, P, 8, 10), T(P, R, 3, 12), T(R, H, 2, 15), T(P, H, 4, 20), T(S, H, 9, 30)
H1, H200 = internal(H, W, 1, 15), T(H, W, 200, 17)  # blocks [15, 20)
H10, H95, H85 = internal(H, W, 10, 20), T(H, W, 95, 24), T(H, W, 85, 26)  # [20, 30)
H80, H90, H100 = internal(H, W, 80, 30), T(H, W, 90, 31), T(H, W, 100, 33)  # [30, ...)
T9000, T7000, T6000, T5000 = tok(9000, 25), tok(7000, 34), tok(6000, 35), tok(5000, 36)
FORWARD = [SP, PR, RH, PH, SH, H1, H200, H10, H95, H85, H80, H90, H100,
           T9000, T7000, T6000, T5000]

KZ, KJ, JZ = T(K, Z, 50, 140), T(K, J, 55, 160), T(J, Z, 60, 170)
Y100, Y90, Y80 = T(Y, K, 100, 133), T(Y, K, 90, 135), internal(Y, K, 80, 140)  # (..., 140]
Y85, Y90B, Y10 = T(Y, K, 85, 145), T(Y, K, 90, 150), internal(Y, K, 10, 160)  # (140, 160]
BACKWARD = [KZ, KJ, JZ, Y100, Y90, Y80, Y85, Y90B, Y10]


@pytest.fixture(scope="module")
def hubs(graph: Graph) -> Graph:
    wipe(graph)
    write_chain(graph, FORWARD + BACKWARD)
    return graph


Row = tuple[int, str, str | None, int, str]


def rows(result: Trace) -> list[Row]:
    """(hop, transfer id, from_output, fanout, value) per row."""
    return [(r["hop"], r["to_output"], r["from_output"], r["fanout"], r["value"])
            for r in result.rows]


def row(hop: int, t: T, via: T | None, fanout: int) -> Row:
    return (hop, t.id, None if via is None else via.id, fanout, str(t.value))


def cut(account: str, direction: str) -> list[str]:
    return [f"fan-out: 1 account(s) with more than max_fanout=2 transfers {direction} (of one "
            f"asset, in the window) were cut to the largest, e.g. {account}"]


Asked = list[tuple[dict[str, Any], list[dict[str, Any]]]]


def recorded(graph: Graph, steps: Steps[Trace]) -> tuple[Trace, Asked]:
    """`run`, also giving each one-hop query's frontier items and the rows they answered."""
    asked: Asked = []
    try:
        request = next(steps)
        while True:
            answer = graph.read(*request)
            if request[0].startswith("trace/") and request[0] != "trace/start":
                asked.extend((dict(f), [dict(r) for r in answer
                                        if r["from_address"] == f["account"]])
                             for f in request[1]["frontier"])
            request = steps.send(answer)
    except StopIteration as done:
        return done.value, asked


def read(asked: Asked, account: str, bound: str) -> list[tuple[int, int | None, list[Row]]]:
    """Per expansion of `account`: its seq, its `bound` (before, after) and what the stored
    query answered for it ((0, id, from_output, fanout, value) rows, by seq)."""
    return [(f["seq"], f.get(bound), [(0, r["to_output"], r["from_output"], r["fanout"],
                                       r["value"]) for r in sorted(answer, key=lambda r: r["seq"])])
            for f, answer in asked if f["account"] == account]


def same_row(result: Trace, t: T) -> dict[str, Any]:
    """The row of transfer `t`, without its hop."""
    (found,) = [{k: v for k, v in r.items() if k != "hop"} for r in result.rows
                if r["to_output"] == t.id]
    return found


def test_a_cut_hub_reached_earlier_is_read_only_between_the_two_seqs(hubs: Graph) -> None:
    fwd, asked = recorded(hubs, trace_steps(S, "forward", LIMITS))
    # H is expanded three times, each time asked only for what it had not read
    assert read(asked, H, "before") == [
        (SH.seq, None, [row(0, H90, SH, 3), row(0, H100, SH, 3)]),
        (PH.seq, SH.seq, [row(0, H95, PH, 3), row(0, H85, PH, 3)]),
        (RH.seq, PH.seq, [row(0, H1, RH, 2), row(0, H200, RH, 2)])]
    # H read whole from block 20 would give its 6 transfers out from there (10, 95, 85, 80, 90,
    # 100), keeping 100 and 95; from 15, 8 of them, keeping 200 and 100. Each hop shows only
    # what no earlier hop showed: 100 (hop 2) is not repeated, 90 (hop 2) is no longer in the
    # top 2, 85 (second window's top 2) never was, nor 1 (15) or 10 (20) or 80 (30): the
    # transfers in the expanding transaction are in the window, each counted once
    assert rows(fwd) == [
        row(1, SP, None, 2), row(1, SH, None, 2),
        row(2, PR, SP, 2), row(2, PH, SP, 2), row(2, H90, SH, 3), row(2, H100, SH, 3),
        row(3, RH, PR, 1), row(3, H95, PH, 6),
        row(4, H200, RH, 8)]
    assert len({r["to_output"] for r in fwd.rows}) == len(fwd.rows)
    assert fwd.truncated == cut(H, "out")
    # the same hub expanded once, from the seq a transfer into it brings the money
    mid = trace(hubs, PH.id, "forward", LIMITS)
    assert rows(mid) == [row(1, H95, PH, 6), row(1, H100, PH, 6)]
    early = trace(hubs, RH.id, "forward", LIMITS)
    assert rows(early) == [row(1, H200, RH, 8), row(1, H100, RH, 8)]
    assert early.truncated == cut(H, "out")
    # every column of the merged rows is the whole read's
    assert same_row(fwd, H95) == same_row(mid, H95)
    assert same_row(fwd, H200) == same_row(early, H200)


def test_each_asset_is_merged_apart(hubs: Graph) -> None:
    every = trace(hubs, S, "forward", LIMITS, asset="*")
    # H's token: 3 transfers from block 30 (7000 and 6000 kept), 1 more in [20, 30) (9000, which
    # now leads), none in [15, 20): 4 in all, while ETH counts 3, 6 and 8
    assert rows(every) == [
        row(1, SP, None, 2), row(1, SH, None, 2),
        row(2, PR, SP, 2), row(2, PH, SP, 2), row(2, H90, SH, 3), row(2, H100, SH, 3),
        row(2, T7000, SH, 3), row(2, T6000, SH, 3),
        row(3, RH, PR, 1), row(3, H95, PH, 6), row(3, T9000, PH, 4),
        row(4, H200, RH, 8)]
    assert [r["asset"] for r in every.rows if r["hop"] == 3] == ["ETH", "ETH", TOK]
    assert rows(trace(hubs, PH.id, "forward", LIMITS, asset="*")) == [
        row(1, H95, PH, 6), row(1, T9000, PH, 4), row(1, H100, PH, 6), row(1, T7000, PH, 4)]
    assert every.truncated == cut(H, "out")


def test_a_cut_account_reached_later_backward_is_read_only_between_the_two_seqs(
        hubs: Graph) -> None:
    back, asked = recorded(hubs, trace_steps(Z, "backward", LIMITS))
    assert read(asked, K, "after") == [
        (KZ.seq, None, [row(0, Y100, KZ, 3), row(0, Y90, KZ, 3)]),
        (KJ.seq, KZ.seq, [row(0, Y85, KJ, 3), row(0, Y90B, KJ, 3)])]
    # K read whole up to block 160: 6 transfers in (100, 90, 80, 85, 90, 10), keeping 100 and
    # the later 90 (value descending, then seq descending): that one is new at hop 3
    assert rows(back) == [
        row(1, KZ, None, 2), row(1, JZ, None, 2),
        row(2, Y100, KZ, 3), row(2, Y90, KZ, 3), row(2, KJ, JZ, 1),
        row(3, Y90B, KJ, 6)]
    assert len({r["to_output"] for r in back.rows}) == len(back.rows)
    assert back.truncated == cut(K, "in")
    whole = trace(hubs, KJ.id, "backward", LIMITS)
    assert rows(whole) == [row(1, Y100, KJ, 6), row(1, Y90B, KJ, 6)]
    assert same_row(back, Y90B) == same_row(whole, Y90B)
    assert (same_row(back, Y90B)["from_address"], same_row(back, Y90B)["to_address"]) == (K, Y)
