"""trace/cluster_flows (one hop) and analysis.exposure.cluster_flows (hop by hop) on a small
hand-built chain, with exact answers.

The chain (mainnet P2PKH scripts, made-up hashes, values in satoshi):

    g  (height 0): coinbase cb pays A1 1000, A2 500, B1 800, C1 300
    b1 (height 1): t1 spends A1, A2       -> B1 700, C1 400, A2 390 (change)   (links A1-A2)
                   t2 spends B1 800       -> A1 300, B2 495
    b2 (height 2): t3 spends B1 700, B2 495 (t1:0, t2:1) -> C1 1000, D 190   (links B1-B2)
                   t4 spends C1 300, C1 400 -> A1 695
    b3 (height 3): t5 spends A1 300 (t2:0) -> B1 100, B2 195

Clusters: A = {A1, A2}, B = {B1, B2}; C1 and D are in no cluster (C1 only ever spent with
itself, D never spent): each is a cluster of its own, with its address as id.
"""

from __future__ import annotations

from typing import Any

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from analysis.exposure import MAX_HOPS, cluster_flows
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph
from loaders.bitcoin.model import Block
from tests.handbuilt import block, hx, named_tx, p2pkh, pkh
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j






NAMES = ["A1", "A2", "B1", "B2", "C1", "D", "Z"]
S = {name: pkh(i + 1) for i, name in enumerate(NAMES)}
ADDR = {name: p2pkh(s) for name, s in S.items()}
tx = named_tx(S)
CB, T1, T2, T3, T4, T5 = hx("c0"), hx("a1"), hx("a2"), hx("a3"), hx("a4"), hx("a5")
A = min(ADDR["A1"], ADDR["A2"])
B = min(ADDR["B1"], ADDR["B2"])
C = ADDR["C1"]
D = ADDR["D"]






def chain() -> list[Block]:
    g, b1, b2, b3 = hx("01"), hx("02"), hx("03"), hx("04")
    # the coinbases of b1..b3 pay Z, which is never spent: no flows
    return [
        block(g, "0" * 64, [tx(CB, [], [(1000, "A1"), (500, "A2"), (800, "B1"), (300, "C1")])]),
        block(b1, g, [tx(hx("c1"), [], [(5000, "Z")]),
                      tx(T1, [(CB, 0), (CB, 1)], [(700, "B1"), (400, "C1"), (390, "A2")]),
                      tx(T2, [(CB, 2)], [(300, "A1"), (495, "B2")])]),
        block(b2, b1, [tx(hx("c2"), [], [(5000, "Z")]),
                       tx(T3, [(T1, 0), (T2, 1)], [(1000, "C1"), (190, "D")]),
                       tx(T4, [(CB, 3), (T1, 1)], [(695, "A1")])]),
        block(b3, b2, [tx(hx("c3"), [], [(5000, "Z")]),
                       tx(T5, [(T2, 0)], [(100, "B1"), (195, "B2")])]),
    ]


@pytest.fixture(scope="module")
def flows(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    return graph


def one_hop(g: Graph, ids: list[str], direction: str, **more: Any) -> list[tuple[Any, ...]]:
    rows = g.read("trace/cluster_flows", {"cluster_ids": ids, "direction": direction, **more})
    return sorted((r["from_cluster"] or "", r["to_cluster"] or "", r["value"], r["tx_count"],
                   r["cut"]) for r in rows)


def test_the_clusters_are_as_drawn(flows: Graph) -> None:
    for name, cid in (("A2", A), ("B2", B), ("C1", C), ("D", D)):
        assert flows.read("cluster/of_address", {"address": ADDR[name]})[0]["cluster_id"] == cid


def test_one_hop_out(flows: Graph) -> None:
    # A spent in t1 (B1 700, C1 400, its own change 390 left out) and t5 (B1 100 + B2 195)
    assert one_hop(flows, [A], "out") == sorted([
        (A, B, 700 + 295, 2, False), (A, C, 400, 1, False)])
    # B spent in t2 (A1 300; B2 495 is its own) and t3 (C1 1000, D 190); C1 in t4 (A1 695)
    assert one_hop(flows, [B, C], "out") == sorted([
        (B, A, 300, 1, False), (B, C, 1000, 1, False), (B, D, 190, 1, False),
        (C, A, 695, 1, False)])
    assert one_hop(flows, [D], "out") == []  # D never spent
    assert one_hop(flows, ["nothing"], "out") == []


def test_one_hop_in(flows: Graph) -> None:
    # C1 received from t1 (inputs of A: 400) and t3 (inputs of B: 1000); its coinbase output
    # has no inputs
    assert one_hop(flows, [C], "in") == sorted([(A, C, 400, 1, False), (B, C, 1000, 1, False)])
    # B received from t1 (700) and t5 (295), both spending A; t2's 495 to B2 is its own
    assert one_hop(flows, [B], "in") == [(A, B, 995, 2, False)]
    assert one_hop(flows, [D], "in") == [(B, D, 190, 1, False)]


def test_one_hop_cut_to_the_largest_outputs(flows: Graph) -> None:
    # A's spent outputs by value: cb:0 1000 (t1), cb:1 500 (t1), t2:0 300 (t5); one is followed
    assert one_hop(flows, [A], "out", max_outputs=1) == sorted([
        (A, B, 700, 1, True), (A, C, 400, 1, True)])
    # B's largest received output is the coinbase's 800: no flow, but the cut is still said
    assert one_hop(flows, [B], "in", max_outputs=1) == [("", B, 0, 0, True)]


def test_hop_by_hop_out(flows: Graph) -> None:
    result = cluster_flows(flows, A, "out", max_hops=3)
    assert [(r["hop"], r["from_cluster"], r["to_cluster"], r["value"], r["tx_count"])
            for r in result.rows] == [
        (1, A, B, 995, 2),
        (1, A, C, 400, 1),
        (2, B, C, 1000, 1),  # B and C1 are expanded at hop 2, the largest flows first
        (2, C, A, 695, 1),
        (2, B, A, 300, 1),
        (2, B, D, 190, 1),
    ]  # hop 3 expands D, which never spent
    assert result.truncated == []
    assert result.as_dict()["rows"][0] == {"hop": 1, "from_cluster": A, "to_cluster": B,
                                           "value": 995, "tx_count": 2}
    assert len(cluster_flows(flows, A, "out", max_hops=1).rows) == 2


def test_hop_by_hop_in(flows: Graph) -> None:
    result = cluster_flows(flows, C, "in", max_hops=2)
    assert [(r["hop"], r["from_cluster"], r["to_cluster"], r["value"], r["tx_count"])
            for r in result.rows] == [
        (1, B, C, 1000, 1),
        (1, A, C, 400, 1),
        (2, A, B, 995, 2),
        (2, C, A, 695, 1),
        (2, B, A, 300, 1),
    ]


def test_bounds_and_bad_input(flows: Graph) -> None:
    cut = cluster_flows(flows, A, "out", max_hops=2, max_outputs=1)
    assert cut.truncated and "max_outputs=1" in cut.truncated[0]
    few = cluster_flows(flows, A, "out", max_hops=2, max_clusters=2)
    assert [r["hop"] for r in few.rows] == [1, 1, 2, 2, 2]  # only B expanded at hop 2
    assert "max_clusters=2" in few.truncated[0]
    rows = cluster_flows(flows, A, "out", max_hops=2, max_rows=3)
    assert len(rows.rows) == 3 and "max_rows=3" in rows.truncated[0]
    with pytest.raises(NotFound):
        cluster_flows(flows, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "out")
    with pytest.raises(NotFound):  # a member's address is not its cluster's id
        cluster_flows(flows, max(ADDR["A1"], ADDR["A2"]), "out")
    with pytest.raises(ParameterError, match="max_hops"):
        cluster_flows(flows, A, "out", max_hops=MAX_HOPS + 1)
    with pytest.raises(ParameterError, match="direction"):
        cluster_flows(flows, A, "sideways")  # type: ignore[arg-type]
