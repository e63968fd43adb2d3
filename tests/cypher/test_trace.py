"""trace/start, trace/forward, trace/backward and trace/paths on a small hand-built chain, with
exact answers: the clustering test's chain (tests/cypher/test_cluster.py) plus one block:

    b3 (height 3): t4 spends t1:0 (19 BTC at X) -> 18.9 BTC to Y
"""

from __future__ import annotations

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from analysis.trace import TraceLimits, paths, trace
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph
from tests.cypher.test_cluster import (
    ABCD,
    ADDR,
    B2,
    BTC,
    CB,
    CJ,
    T1,
    T2,
    T3,
    W_VALUE,
    tx,
)
from tests.cypher.test_cluster import chain as cluster_chain
from tests.handbuilt import block, hx
from tests.helpers import wipe, write_blocks, write_tags

pytestmark = pytest.mark.neo4j

T4, B3 = hx("a5"), hx("05")


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, [*cluster_chain(),
                         block(B3, B2, [tx(hx("c3"), [], [(50 * BTC, "X")]),
                                        tx(T4, [(T1, 0)], [(189 * BTC // 10, "Y")])])])
    Clusterer(graph, ClusterConfig()).rebuild()
    return graph


def test_start_resolves_addresses_transactions_and_outputs(small: Graph) -> None:
    rows = small.read("trace/start", {"start": ADDR["B"], "kind": "address"})
    assert [(r["output"], r["value"]) for r in rows] == [  # the largest first
        (f"{CB}:1", 10 * BTC), (f"{CB}:7", 10 * BTC), (f"{T3}:1", 49 * BTC // 10)]
    assert [r["output"] for r in small.read("trace/start", {"start": T2, "kind": "txid"})] == [
        f"{T2}:0", f"{T2}:1"]
    assert small.read("trace/start", {"start": f"{T1}:0", "kind": "output"}) == [
        {"output": f"{T1}:0", "address": ADDR["X"], "value": 19 * BTC,
         "asset": None, "seq": None, "from_address": None}]  # Ethereum's columns: null
    assert small.read("trace/start", {"start": f"{T1}:0", "kind": "address"}) == []
    assert len(small.read("trace/start", {"start": ADDR["B"], "kind": "address",
                                          "limit": 1})) == 2  # one more: "truncated"


def test_one_hop_forward_and_backward(small: Graph) -> None:
    fwd = small.read("trace/forward", {"outputs": [f"{CB}:2"]})
    assert [(r["txid"], r["height"], r["from_address"], r["to_address"], r["value"],
             r["fanout"], r["to_tags"]) for r in fwd] == [
        (T2, 1, ADDR["C"], ADDR["Y"], 15 * BTC, 2, []),
        (T2, 1, ADDR["C"], ADDR["W"], W_VALUE, 2, [])]
    assert small.read("trace/forward", {"outputs": [f"{CB}:2"], "max_fanout": 1,
                                        "min_value": 0})[0]["value"] == 15 * BTC
    assert small.read("trace/forward", {"outputs": [f"{CB}:2"],
                                        "min_value": 16 * BTC}) == []
    back = small.read("trace/backward", {"outputs": [f"{CJ}:0"]})
    assert sorted((r["to_output"], r["to_address"], r["value"], r["fanout"]) for r in back) == [
        (f"{CB}:4", ADDR["E"], 10 * BTC, 3), (f"{CB}:5", ADDR["F"], 10 * BTC, 3),
        (f"{CB}:6", ADDR["G"], 10 * BTC, 3)]
    assert small.read("trace/backward", {"outputs": [f"{CB}:0"]}) == []  # a coinbase


def test_breadth_first_trace(small: Graph) -> None:
    result = trace(small, ADDR["A"], "forward", TraceLimits(max_hops=3))
    assert [(r["hop"], r["txid"], r["to_address"], r["value"]) for r in result.rows] == [
        (1, T1, ADDR["X"], 19 * BTC), (2, T4, ADDR["Y"], 189 * BTC // 10)]
    back = trace(small, f"{T4}:0", "backward", TraceLimits(max_hops=3))
    assert [(r["hop"], r["to_address"], r["value"]) for r in back.rows] == [
        (1, ADDR["X"], 19 * BTC), (2, ADDR["A"], 10 * BTC), (2, ADDR["B"], 10 * BTC)]
    with pytest.raises(ParameterError):
        TraceLimits(max_hops=0)


def test_k_shortest_paths_between_addresses_and_clusters(small: Graph) -> None:
    one = paths(small, ADDR["A"], ADDR["Y"])
    assert [(p["rank"], p["hops"], p["txids"], p["addresses"], p["bottleneck_value"])
            for p in one["paths"]] == [
        (1, 2, [T1, T4], [ADDR["A"], ADDR["X"], ADDR["Y"]], 10 * BTC)]
    assert one["notes"] and "super nodes" in one["notes"][0]
    # from the A-D cluster: t2 pays Y directly from C's and from D's output; then via t1, t4
    many = paths(small, f"cluster:{ABCD[0]}", ADDR["Y"], k=3)["paths"]
    assert [(p["hops"], p["txids"], p["outputs"][0]) for p in many] == [
        (1, [T2], f"{CB}:2"), (1, [T2], f"{CB}:3"), (2, [T1, T4], f"{CB}:0")]
    assert paths(small, ADDR["A"], ADDR["Y"], max_hops=1)["paths"] == []
    # a one-address cluster is its address; a fan-out bound below 1 output cuts everything
    alone = paths(small, f"cluster:{ADDR['X']}", ADDR["Y"])["paths"]
    assert [p["txids"] for p in alone] == [[T4]]
    assert paths(small, ADDR["X"], ADDR["Y"], max_fanout=1)["paths"] != []  # t4: 1 in, 1 out
    assert paths(small, ADDR["C"], ADDR["Y"], max_fanout=1)["paths"] == []  # t2 has 2 inputs
    assert paths(small, ADDR["C"], ADDR["Y"], max_fanout=1,
                 include_super_nodes=True)["paths"][0]["txids"] == [T2]
    with pytest.raises(NotFound):
        paths(small, ADDR["A"], "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")
    with pytest.raises(ParameterError):
        paths(small, ADDR["A"], ADDR["Y"], k=11)


def test_a_busy_start_is_cut_to_its_largest_outputs_and_says_so(small: Graph) -> None:
    """The super-node bound: an address with more outputs than max_start is traced from the
    largest ones, and the answer carries the truncation marker."""
    result = trace(small, ADDR["B"], "forward", TraceLimits(max_hops=2, max_start=2))
    assert result.start_outputs == [f"{CB}:1", f"{CB}:7"]  # 10 BTC each; not the 4.9 BTC
    assert result.as_dict()["truncated"] is True
    assert any(t.startswith("start: only the 2 largest outputs") for t in result.truncated)
    whole = trace(small, ADDR["B"], "forward", TraceLimits(max_hops=2))
    assert whole.truncated == [] and len(whole.start_outputs) == 3
    with pytest.raises(ParameterError, match="max_start"):
        TraceLimits(max_start=0)


def test_paths_to_a_super_node_come_from_a_forward_trace(small: Graph) -> None:
    """trace/end_outputs; paths to an end with more outputs than `super_node_outputs` are
    found by a forward trace from the source, not the shortest-path search (which would expand
    every output of that end): the same paths on this chain, and a note that says how."""
    assert small.read("trace/end_outputs", {"end": ADDR["B"]}) == [{"outputs": 3}]
    assert small.read("trace/end_outputs", {"end": ABCD[0], "cluster": True}) == [
        {"outputs": 7}]  # A 1, B 3, C 2, D 1
    assert small.read("trace/end_outputs", {"end": ADDR["Y"], "cluster": True}) == [
        {"outputs": 2}]  # no Cluster node: the address alone
    assert small.read("trace/end_outputs", {"end": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"}) == [
        {"outputs": 0}]
    # a member of the cluster that is not its id (the smallest address) is no cluster id
    assert small.read("trace/end_outputs", {"end": ABCD[1], "cluster": True}) == [
        {"outputs": 0}]
    with pytest.raises(NotFound, match="no cluster with id"):
        paths(small, ADDR["X"], f"cluster:{ABCD[1]}")
    for source, target in [(ADDR["A"], ADDR["Y"]), (ADDR["X"], ADDR["Y"]),
                           (ADDR["A"], f"cluster:{ADDR['Y']}"), (ADDR["C"], ADDR["Y"])]:
        searched = paths(small, source, target, k=3)
        traced = paths(small, source, target, k=3, super_node_outputs=1)
        assert traced["paths"] == searched["paths"] != [], (source, target)
        assert traced["notes"][0].startswith(f"the address {target.removeprefix('cluster:')}"
                                             if not target.startswith("cluster:")
                                             else f"the cluster {ADDR['Y']}")
        assert "a forward trace" in traced["notes"][0]
    assert paths(small, ADDR["A"], ADDR["Y"], max_hops=1, super_node_outputs=1)["paths"] == []
    assert paths(small, ADDR["C"], ADDR["Y"], max_fanout=1, super_node_outputs=1)["paths"] == []


def test_a_trace_graph_shows_the_tags_of_its_start(graph: Graph) -> None:
    """Rows carry the tags of where money went; the start's own tags come with the trace
    (`start_tags`), so a sanctioned start is drawn as such."""
    wipe(graph)
    write_blocks(graph, cluster_chain())
    write_tags(graph, [{"id": "s", "address": ADDR["B"], "label": "OFAC SDN",
                        "category": "sanctioned", "source": "ofac"}])
    t = trace(graph, ADDR["B"], "forward", TraceLimits(max_hops=1))
    assert t.start_tags == {ADDR["B"]: [{"label": "OFAC SDN", "category": "sanctioned",
                                         "source": "ofac"}]}
    nodes = {n["id"]: n for n in t.as_graph()["nodes"]}
    assert nodes[ADDR["B"]]["tags"] == t.start_tags[ADDR["B"]]
    assert trace(graph, ADDR["A"], "forward", TraceLimits(max_hops=1)).start_tags == {}
