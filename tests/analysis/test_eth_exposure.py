"""Exposure of an Ethereum account, hand-computed, on a hand-built chain (wei):

    block  transfer
      1    0x0 -> W  200   withdrawal (issuance: an untagged origin)
      2    X -> U     10   the target's own money, into U
      3    M -> U     30   M: tagged mixer
      4    W -> U     90
      5    E -> X    100   E: tagged exchange
      6    U -> X     60   U's balance then: 10 from X, 30 from M, 90 from W
      7    M -> U     40   after U paid X: not in what X received
      8    X -> V     50
      9    V -> N      5   fee of V's transaction (paid first)
      9    V -> E     20
     10    K -> V     25
     11    V -> M     30

Received by X (160): E 100 direct; U's 60 is 60 x 10/130 own, 60 x 30/130 mixer (indirect),
60 x 90/130 from W, whose money came from the withdrawal: untagged.
Sent by X (60): 10 to U, of which U later paid 60 of its 130 back to X (own 10 x 60/130) and
kept the rest (untagged); 50 to V, followed by haircut through V's balance: the fee takes
5/50, E 0.9 x 20/45 = 0.4, M 0.5 x 30/50 after K's 25 = 0.3, the rest stays (untagged).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from analysis.accounts import ZERO_ADDRESS, Window
from analysis.exposure import ExposureLimits, exposure
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph
from tests.analysis.ethchain import T, acct, write_chain
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j

X, E, U, M, W, V, K, N = (acct(c) for c in ("a", "e", "b", "c", "d", "f", "5", "9"))
CHAIN = [T(E, X, 100, 5), T(U, X, 60, 6), T(M, U, 30, 3), T(W, U, 90, 4), T(M, U, 40, 7),
         T(ZERO_ADDRESS, W, 200, 1, kind="withdrawal", sub="0"), T(X, U, 10, 2),
         T(X, V, 50, 8), T(V, E, 20, 9), T(V, N, 5, 9, kind="fee", sub="fee"),
         T(K, V, 25, 10), T(V, M, 30, 11)]


@pytest.fixture(scope="module")
def eth(graph: Graph) -> Graph:
    wipe(graph)
    write_chain(graph, CHAIN, tags=[(E, "Exchange E", "exchange"), (M, "Mixer M", "mixer")])
    return graph


def answer(d: dict[str, Any]) -> tuple[Any, ...]:
    return (d["total"], [(r["category"], r["direct_value"], r["indirect_value"])
                         for r in d["rows"]], d["not_exposure"])


def floor(x: Fraction) -> str:
    return str(x.numerator // x.denominator)


def test_received(eth: Graph) -> None:
    one = exposure(eth, X, "received", ExposureLimits(max_hops=1)).as_dict()
    assert answer(one) == ("160", [("exchange", "100", "0")],
                           {"own": "0", "untagged": "60", "unknown": "0", "cut": "0"})
    for hops in (2, 3):  # at 3 hops W's funding is followed to the withdrawal: untagged still
        d = exposure(eth, X, "received", ExposureLimits(max_hops=hops)).as_dict()
        assert answer(d) == ("160", [("exchange", "100", "0"),
                                     ("mixer", "0", floor(Fraction(60 * 30, 130)))],
                             {"own": floor(Fraction(60 * 10, 130)),
                              "untagged": floor(Fraction(60 * 90, 130)), "unknown": "0",
                              "cut": "0"})
        assert (d["chain"], d["asset"], d["txs_visited"]) == ("ethereum", "ETH", hops)
    assert d["rows"][0]["share"] == 0.625


def test_sent(eth: Graph) -> None:
    d = exposure(eth, X, "sent", ExposureLimits(max_hops=2)).as_dict()
    own = Fraction(10 * 60, 130)
    assert answer(d) == ("60", [("exchange", "0", floor(Fraction(50 * 4, 10))),
                                ("mixer", "0", floor(Fraction(50 * 3, 10)))],
                         {"own": floor(own), "untagged": floor(10 - own + 5 + 10),
                          "unknown": "0", "cut": "0"})


def test_bounds_windows_and_bad_input(eth: Graph) -> None:
    cut = exposure(eth, X, "sent", ExposureLimits(max_hops=2, max_fanout=2)).as_dict()
    # two transfers read per balance, whole transactions: U's first two are both in (from X
    # and M), V's third is in the transaction of the fee and V -> E, so only X's 50 is read:
    # nothing of either left before the cut
    assert answer(cut) == ("60", [], {"own": "0", "untagged": "0", "unknown": "0",
                                      "cut": "60"})
    assert cut["truncation"] == [
        "fan-out: 2 account balance(s) with more than max_fanout=2 transfers after were cut; "
        f"the value of the rest was not followed, e.g. {min(CHAIN[6].id, CHAIN[7].id)}"]
    top = exposure(eth, X, "received", ExposureLimits(max_hops=1, max_outputs=1)).as_dict()
    assert answer(top) == ("160", [("exchange", "100", "0")],
                           {"own": "0", "untagged": "0", "unknown": "0", "cut": "60"})
    assert top["truncation"] == ["start: only the largest 1 of the target's 2 transfers "
                                 "were followed (max_outputs)"]
    early = exposure(eth, X, "received", window=Window(to_block=5)).as_dict()
    assert answer(early)[:2] == ("100", [("exchange", "100", "0")])
    with pytest.raises(ParameterError, match="one asset"):
        exposure(eth, X, "received", asset="*")
    with pytest.raises(ParameterError, match="no clusters"):
        exposure(eth, f"cluster:{X}", "received", chain="ethereum")
    with pytest.raises(NotFound):
        exposure(eth, acct("8"), "received")
    none = exposure(eth, X, "received", asset=acct("70")).as_dict()  # no such token moved
    assert (none["total"], none["rows"]) == ("0", [])
