"""trace/paths never comes back through either end, on a small hand-built chain where the
start's change pays on and the end moves its money on to itself:

    g  (height 0): coinbase pays 10 BTC to A
    b1 (height 1): p1 spends A's 10 BTC -> 1 BTC to P, 9 BTC back to A (change)
    b2 (height 2): p2 spends A's change  -> 8.9 BTC to E
    b3 (height 3): p3 spends E's 8.9 BTC -> 8.8 BTC to E again

From A to E the one path is p2 (from A's change). Without the rule, k = 3 also gave p1, p2
(A -> A -> E) and p2, p3 (A -> E -> E): the same money, again. The same on an account chain
(block numbers in brackets): a -> b (1), b -> a (2), a -> e (3), e -> c (4), c -> e (5), ten
more round trips e -> ci (6) -> e (7), and b -> d (8), d -> f (9), f -> e (10). From a to e
the paths are a -> e (3) and a -> b -> d -> f -> e: the eleven paths of three hops through e
do not count, nor do they take the places of the ten shortest that the search keeps (the
rule is inside the path pattern's WHERE, a pre-filter of `SHORTEST 10`).
"""

from __future__ import annotations

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from analysis.trace import paths
from cypher.runner import Graph
from tests.analysis.ethchain import T, acct, write_chain
from tests.handbuilt import block, hx, named_tx, p2pkh, pkh
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

BTC = 100_000_000
S = {name: pkh(200 + i) for i, name in enumerate("AEP")}
ADDR = {name: p2pkh(s) for name, s in S.items()}
tx = named_tx(S)
CB, P1, P2, P3 = hx("d0"), hx("d1"), hx("d2"), hx("d3")
EA, EB, EC, ED, EE, EF = (acct(c) for c in "abcdef")
AE = T(EA, EE, 8, 3)
AB, BD, DF, FE = T(EA, EB, 10, 1), T(EB, ED, 5, 8), T(ED, EF, 4, 9), T(EF, EE, 3, 10)
ROUND_TRIPS = [t for i in range(1, 11)  # e -> ci -> e: ten more ways back through e
               for t in (T(EE, acct(f"c{i:x}"), 2, 6, i), T(acct(f"c{i:x}"), EE, 1, 7, i))]
ACCOUNT_CHAIN = [AB, T(EB, EA, 9, 2), AE, T(EE, EC, 7, 4), T(EC, EE, 6, 5), *ROUND_TRIPS,
                 BD, DF, FE]


@pytest.fixture(scope="module")
def loops(graph: Graph) -> Graph:
    wipe(graph)
    write_chain(graph, ACCOUNT_CHAIN)
    g, b1, b2, b3 = hx("11"), hx("12"), hx("13"), hx("14")
    write_blocks(graph, [
        block(g, "0" * 64, [tx(CB, [], [(10 * BTC, "A")])]),
        block(b1, g, [tx(hx("e1"), [], [(50 * BTC, "P")]),
                      tx(P1, [(CB, 0)], [(1 * BTC, "P"), (9 * BTC, "A")])]),
        block(b2, b1, [tx(hx("e2"), [], [(50 * BTC, "P")]),
                       tx(P2, [(P1, 1)], [(89 * BTC // 10, "E")])]),
        block(b3, b2, [tx(hx("e3"), [], [(50 * BTC, "P")]),
                       tx(P3, [(P2, 0)], [(88 * BTC // 10, "E")])]),
    ])
    Clusterer(graph, ClusterConfig()).rebuild()
    return graph


def test_paths_do_not_come_back_through_the_start_or_the_end(loops: Graph) -> None:
    for start in (ADDR["A"], f"cluster:{ADDR['A']}"):
        found = paths(loops, start, ADDR["E"], k=3)["paths"]
        assert [(p["txids"], p["addresses"], p["bottleneck_value"]) for p in found] == [
            ([P2], [ADDR["A"], ADDR["E"]], 89 * BTC // 10)], start
    # the start's own transaction still counts when it pays someone else
    assert [p["txids"] for p in paths(loops, ADDR["A"], ADDR["P"], k=3)["paths"]] == [[P1]]


def test_account_paths_do_not_come_back_through_the_start_or_the_end(loops: Graph) -> None:
    rows = loops.read("trace/paths", {"chain": "ethereum", "from": EA, "to": EE, "k": 3})
    assert [(r["txids"], r["addresses"], r["bottleneck_value"]) for r in rows] == [
        ([AE.tx], [EA, EE], "8"),
        ([AB.tx, BD.tx, DF.tx, FE.tx], [EA, EB, ED, EF, EE], "3")]


def test_paths_found_by_a_forward_trace_follow_the_same_rule(loops: Graph) -> None:
    """To a super node end (here: any end with more than one output) paths come from a
    forward trace (analysis.trace._paths_by_trace); the same one path."""
    found = paths(loops, ADDR["A"], ADDR["E"], k=3, super_node_outputs=1)
    assert "super node" in found["notes"][0]
    assert [p["txids"] for p in found["paths"]] == [[P2]]
