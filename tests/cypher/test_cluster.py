"""Every cluster/* query on a small hand-built chain, with exact answers.

The chain (mainnet P2PKH scripts, made-up hashes, written through the real load queries):

    g (height 0): coinbase cb pays 10 BTC to each of A, B, C, D, E, F, G and 10 more to B, C
    b1 (height 1): t1 spends A, B        -> 19 BTC to X              (links A-B)
                   t2 spends C, D        -> 15 BTC to Y, 4.98765430 to W (links C-D;
                                          W is the change by three change heuristics)
    b2 (height 2): t3 spends B, C        -> 15 BTC to Z, 4.9 back to B (links B-C: A..D one entity)
                   cj spends E, F, G     -> 3 x 5 BTC to J, K, L, change 4.99 to H and I
                                          (CoinJoin-shaped: 3 equal outputs, 2 changes)
"""

from __future__ import annotations

from typing import Any

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from cypher.runner import Graph
from loaders.bitcoin.model import Block
from tests.handbuilt import block, hx, named_tx, p2pkh, pkh
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

BTC = 100_000_000








NAMES = "ABCDEFGHIJKLWXYZ"
S = {name: pkh(i + 1) for i, name in enumerate(NAMES)}
ADDR = {name: p2pkh(s) for name, s in S.items()}
tx = named_tx(S)
CB, T1, T2, T3, CJ = hx("c0"), hx("a1"), hx("a2"), hx("a3"), hx("a4")
G, B1, B2 = hx("01"), hx("02"), hx("03")
W_VALUE = 498_765_430






def chain() -> list[Block]:
    # cb outputs: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 B, 8 C
    cb = tx(CB, [], [(10 * BTC, n) for n in "ABCDEFGBC"])
    return [
        block(G, "0" * 64, [cb]),
        block(B1, G, [tx(hx("c1"), [], [(50 * BTC, "X")]),
                      tx(T1, [(CB, 0), (CB, 1)], [(19 * BTC, "X")]),
                      tx(T2, [(CB, 2), (CB, 3)], [(15 * BTC, "Y"), (W_VALUE, "W")])]),
        block(B2, B1, [tx(hx("c2"), [], [(50 * BTC, "X")]),
                       tx(T3, [(CB, 7), (CB, 8)], [(15 * BTC, "Z"), (49 * BTC // 10, "B")]),
                       tx(CJ, [(CB, 4), (CB, 5), (CB, 6)],
                          [(5 * BTC, "J"), (5 * BTC, "K"), (5 * BTC, "L"),
                           (499 * BTC // 100, "H"), (499 * BTC // 100, "I")])]),
    ]


ABCD = sorted(ADDR[n] for n in "ABCD")
EFG = sorted(ADDR[n] for n in "EFG")


def clustered(graph: Graph, config: ClusterConfig) -> Graph:
    wipe(graph)
    write_blocks(graph, chain())
    Clusterer(graph, config).rebuild()
    return graph


@pytest.fixture(scope="module")
def filtered(graph: Graph) -> Graph:
    return clustered(graph, ClusterConfig(coinjoin_filter=True))


def one(g: Graph, name: str, **params: Any) -> dict[str, Any]:
    rows = g.read(name, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_of_address_multi_input_cluster(filtered: Graph) -> None:
    row = one(filtered, "cluster/of_address", address=ADDR["D"])
    # received: 10 each for A, B, C, D, 10 more for B and C, 4.9 change to B; sent: all but
    # the change. Active from the coinbase (0) to t3 (2).
    assert row == {"cluster_id": ABCD[0], "size": 4, "received": 60 * BTC + 49 * BTC // 10,
                   "sent": 60 * BTC, "first_height": 0, "last_height": 2,
                   "coinjoin_links_skipped": 0}
    assert one(filtered, "cluster/of_address", address=ADDR["A"])["cluster_id"] == ABCD[0]


def test_of_address_coinjoin_participant_stays_alone(filtered: Graph) -> None:
    row = one(filtered, "cluster/of_address", address=ADDR["E"])
    assert row == {"cluster_id": ADDR["E"], "size": 1, "received": 10 * BTC,
                   "sent": 10 * BTC, "first_height": 0, "last_height": 2,
                   "coinjoin_links_skipped": 1}
    kind = filtered.read("lookup/transaction", {"txid": CJ})[0]
    assert kind["txid"] == CJ
    with filtered.driver.session(database=filtered.database) as s:
        t = s.run("MATCH (t:Transaction {txid: $t}) RETURN t.coinjoin_kind AS k, "
                  "t.coinjoin_skipped AS s, t:Unclustered AS u", t=CJ).single()
    assert t is not None
    assert (t["k"], t["s"], t["u"]) == ("joinmarket", True, False)


def test_of_address_unknown_is_empty(filtered: Graph) -> None:
    assert filtered.read("cluster/of_address", {"address": p2pkh(pkh(99))}) == []


def test_members_pages_in_address_order(filtered: Graph) -> None:
    rows = filtered.read("cluster/members", {"cluster_id": ABCD[0]})
    assert [r["address"] for r in rows] == ABCD
    by = {r["address"]: r for r in rows}
    assert (by[ADDR["B"]]["received"], by[ADDR["B"]]["sent"]) == (
        20 * BTC + 49 * BTC // 10, 20 * BTC)
    assert {r["script_type"] for r in rows} == {"p2pkh"}
    page = filtered.read("cluster/members", {"cluster_id": ABCD[0], "skip": 1, "limit": 2})
    assert [r["address"] for r in page] == ABCD[1:3]
    alone = filtered.read("cluster/members", {"cluster_id": ADDR["E"]})
    assert [(r["address"], r["received"], r["sent"]) for r in alone] == [
        (ADDR["E"], 10 * BTC, 10 * BTC)]
    assert filtered.read("cluster/members", {"cluster_id": "nope"}) == []


def test_explain_chain_of_evidence(filtered: Graph) -> None:
    rows = filtered.read("cluster/explain", {"a": ADDR["A"], "b": ADDR["D"]})
    assert [(r["step"], r["txid"], r["heuristic"], r["version"], r["address_from"],
             r["address_to"]) for r in rows] == [
        (1, T1, "multi_input", 1, ADDR["A"], ADDR["B"]),
        (2, T3, "multi_input", 1, ADDR["B"], ADDR["C"]),
        (3, T2, "multi_input", 1, ADDR["C"], ADDR["D"]),
    ]
    assert filtered.read("cluster/explain", {"a": ADDR["A"], "b": ADDR["E"]}) == []
    assert filtered.read("cluster/explain", {"a": ADDR["A"], "b": ADDR["A"]}) == []
    assert filtered.read("cluster/explain", {"a": ADDR["E"], "b": ADDR["F"]}) == []


def test_stats_and_config(filtered: Graph) -> None:
    row = one(filtered, "cluster/stats")
    config = row.pop("config")
    assert row == {"clusters": 4, "clustered_addresses": 7, "largest": 4, "singletons": 3}
    assert config["coinjoin_filter"] is True
    assert config["change_heuristics"] == []
    assert "multi_input@1" in config["heuristics"]
    assert one(filtered, "cluster/config")["coinjoin_filter"] is True


def test_largest_names_the_biggest_merge(filtered: Graph) -> None:
    # t1, t2 and t3 each link two addresses: the tie goes to the smallest txid
    assert filtered.read("cluster/largest", {}) == [
        {"cluster_id": ABCD[0], "size": 4, "top_merge_txid": T1, "top_merge_addresses": 2}]
    assert filtered.read("cluster/largest", {"limit": 0}) == []


def test_filter_off_merges_the_coinjoin(graph: Graph) -> None:
    g = clustered(graph, ClusterConfig(coinjoin_filter=False))
    row = one(g, "cluster/of_address", address=ADDR["F"])
    assert (row["cluster_id"], row["size"], row["coinjoin_links_skipped"]) == (EFG[0], 3, 0)
    stats = one(g, "cluster/stats")
    assert (stats["clusters"], stats["clustered_addresses"], stats["largest"],
            stats["singletons"]) == (2, 7, 4, 0)
    assert g.read("cluster/largest", {}) == [
        {"cluster_id": ABCD[0], "size": 4, "top_merge_txid": T1, "top_merge_addresses": 2},
        {"cluster_id": EFG[0], "size": 3, "top_merge_txid": CJ, "top_merge_addresses": 3}]
    steps = g.read("cluster/explain", {"a": ADDR["E"], "b": ADDR["G"]})
    assert {r["txid"] for r in steps} == {CJ}
    assert 1 <= len(steps) <= 2


def test_change_annotations_without_merging(filtered: Graph) -> None:
    with filtered.driver.session(database=filtered.database) as s:
        rows = s.run("MATCH (t:Transaction) WHERE t.txid IN $t RETURN t.txid AS txid, "
                     "t.change_heuristics AS h, t.change_outputs AS n", t=[T2, T3]).data()
    got = {r["txid"]: sorted(zip(r["n"], r["h"], strict=True)) for r in rows}
    # t2: W (n=1) is below both inputs, not round, and a fresh P2PKH like the inputs
    assert got[T2] == [(1, "one_time_change@1"), (1, "optimal_change@1"),
                       (1, "power_of_ten@1")]
    # t3: 4.9 BTC back to B is address reuse and below both inputs; but it is round
    assert got[T3] == [(1, "address_reuse@1"), (1, "optimal_change@1")]
    # annotations only: W joined nothing
    assert one(filtered, "cluster/of_address", address=ADDR["W"])["size"] == 1


def test_change_heuristic_links_are_marked(graph: Graph) -> None:
    g = clustered(graph, ClusterConfig(change_heuristics=("power_of_ten",)))
    row = one(g, "cluster/of_address", address=ADDR["W"])
    assert (row["cluster_id"], row["size"]) == (min(*ABCD, ADDR["W"]), 5)
    anchor = min(ADDR["C"], ADDR["D"])
    steps = g.read("cluster/explain", {"a": anchor, "b": ADDR["W"]})
    assert [(r["txid"], r["heuristic"], r["version"], r["address_from"], r["address_to"])
            for r in steps] == [(T2, "power_of_ten", 1, anchor, ADDR["W"])]
    other = max(ADDR["C"], ADDR["D"])  # any input address is one step from the change
    steps = g.read("cluster/explain", {"a": ADDR["W"], "b": other})
    assert [(r["txid"], r["heuristic"], r["version"], r["address_from"], r["address_to"])
            for r in steps] == [(T2, "power_of_ten", 1, ADDR["W"], other)]
    want = [(T2, ["multi_input", "power_of_ten"], [1, 1], [[1, "power_of_ten", 1]])]
    assert [e for e in evidence(g) if e[0] == T2] == want
    with g.driver.session(database=g.database) as s:  # clustered again (cluster/unlink)
        s.run("MATCH (t:Transaction {txid: $t}) SET t:Unclustered:Recluster", t=T2).consume()
    assert Clusterer(g, ClusterConfig(change_heuristics=("power_of_ten",))).run().txs == 1
    assert [e for e in evidence(g) if e[0] == T2] == want  # replaced, not doubled
    assert one(g, "cluster/config")["change_heuristics"] == ["power_of_ten"]


def test_explain_goes_through_a_change_output_spent_later(graph: Graph) -> None:
    """A peel chain's shape: W, the change of t2, is spent in t4 beside X's coin. The chain
    of evidence from C to X goes through W's output twice (its change link, its spend), and
    Cypher never uses one relationship twice in a path: the search must not need to."""
    t4 = hx("a5")
    wipe(graph)
    write_blocks(graph, [*chain(), block(hx("04"), B2, [
        tx(hx("c3"), [], [(50 * BTC, "X")]),
        tx(t4, [(T2, 1), (hx("c1"), 0)], [(54 * BTC, "Y")])])])
    Clusterer(graph, ClusterConfig(change_heuristics=("power_of_ten",))).rebuild()
    anchor = min(ADDR["C"], ADDR["D"])
    assert one(graph, "cluster/of_address", address=ADDR["X"])["size"] == 6  # A-D, W, X
    steps = graph.read("cluster/explain", {"a": anchor, "b": ADDR["X"]})
    assert [(r["step"], r["txid"], r["heuristic"], r["version"], r["address_from"],
             r["address_to"]) for r in steps] == [
        (1, T2, "power_of_ten", 1, anchor, ADDR["W"]),
        (2, t4, "multi_input", 1, ADDR["W"], ADDR["X"])]
    back = graph.read("cluster/explain", {"a": ADDR["X"], "b": anchor})
    assert [(r["txid"], r["address_from"], r["address_to"]) for r in back] == [
        (t4, ADDR["X"], ADDR["W"]), (T2, ADDR["W"], anchor)]


def test_a_chunk_that_warns_is_planned_in_block_order(graph: Graph) -> None:
    """A transaction merging two clusters above warn_size is a warning with its txid; the
    chunk that warns reads its transactions' places in their blocks (cluster/positions) and
    is planned again in that order (within a block, not by txid)."""
    wipe(graph)
    write_blocks(graph, chain())
    summary = Clusterer(graph, ClusterConfig(), warn_size=1).rebuild()
    assert len(summary.warnings) == 1 and T3 in summary.warnings[0]  # {A, B} and {C, D}
    assert one(graph, "cluster/of_address", address=ADDR["D"])["size"] == 4


def evidence(g: Graph) -> list[tuple[str, list[str], list[int], list[list[Any]]]]:
    """Every linked transaction: its heuristics and versions, and its change links."""
    with g.driver.session(database=g.database) as s:
        return sorted((r["t"], r["h"], r["v"], sorted(r["c"])) for r in s.run(
            "MATCH (t:Transaction) WHERE t.link_heuristics IS NOT NULL "
            "OPTIONAL MATCH (o:Output)-[c:CHANGE_OF]->(t) "
            "RETURN t.txid AS t, t.link_heuristics AS h, t.link_versions AS v, "
            "[x IN collect([o.n, c.heuristic, c.version]) WHERE x[0] IS NOT NULL] AS c"))


def test_rebuild_replaces_change_links_and_old_same_entity_links(graph: Graph) -> None:
    """cluster/reset_links and mark_all: a rebuild without change heuristics leaves no
    CHANGE_OF, no SAME_ENTITY written by an earlier version, and only multi-input evidence."""
    g = clustered(graph, ClusterConfig(change_heuristics=("power_of_ten",)))
    with g.driver.session(database=g.database) as s:
        s.run("MATCH (a:Address {address: $a}), (b:Address {address: $b}) "
              "CREATE (a)-[:SAME_ENTITY {txid: $t, heuristic: 'multi_input', version: 1}]->(b)",
              a=ADDR["B"], b=ADDR["A"], t=T1).consume()
    assert [e[0] for e in evidence(g)] == sorted([T1, T2, T3])
    Clusterer(g, ClusterConfig()).rebuild()
    with g.driver.session(database=g.database) as s:
        left = s.run("MATCH ()-[r:CHANGE_OF|SAME_ENTITY]->() RETURN count(r) AS n").single()
    assert left is not None and left["n"] == 0
    assert evidence(g) == [(t, ["multi_input"], [1], []) for t in sorted([T1, T2, T3])]
    assert one(g, "cluster/of_address", address=ADDR["W"])["size"] == 1


def test_inputs_arriving_later_recluster_their_spenders(graph: Graph) -> None:
    """cluster/pending, unlink, done: blocks 1-2 first (every input unresolved), then the
    genesis whose outputs they spend; writing a block again relabels nothing, and a
    transaction clustered again has its evidence replaced, not doubled."""
    full = clustered(graph, ClusterConfig())
    want = (one(full, "cluster/of_address", address=ADDR["D"]), evidence(full))
    assert want[1] == [(t, ["multi_input"], [1], []) for t in sorted([T1, T2, T3])]
    wipe(graph)
    write_blocks(graph, chain()[1:])
    Clusterer(graph, ClusterConfig()).run()
    assert graph.read("cluster/largest", {}) == [] and evidence(graph) == []
    write_blocks(graph, chain()[:1])
    with graph.driver.session(database=graph.database) as s:
        relabelled = s.run("MATCH (t:Unclustered:Recluster) RETURN t.txid AS t ORDER BY t").data()
    assert [r["t"] for r in relabelled] == sorted([T1, T2, T3, CJ])
    # each with its block's height, and (cluster/positions) its place in that block
    waiting = graph.read("cluster/pending", {"limit": 10})
    assert sorted((r["txid"], r["height"]) for r in waiting) == sorted([
        (CB, 0), (T1, 1), (T2, 1), (T3, 2), (CJ, 2)])
    at = {r["id"]: r["position"] for r in graph.read(
        "cluster/positions", {"ids": [r["id"] for r in waiting] + [-1]})}
    assert sorted((r["txid"], at[r["id"]]) for r in waiting) == sorted([
        (CB, 0), (T1, 1), (T2, 2), (T3, 1), (CJ, 2)])
    summary = Clusterer(graph, ClusterConfig()).run()
    assert summary.txs == 5  # the four spenders and the new genesis coinbase
    assert (one(graph, "cluster/of_address", address=ADDR["D"]), evidence(graph)) == want
    write_blocks(graph, chain()[:1])  # again: its outputs are known, nothing to re-cluster
    assert Clusterer(graph, ClusterConfig()).run().txs == 0
    with graph.driver.session(database=graph.database) as s:  # as a load's lagged inputs do
        s.run("MATCH (t:Transaction) WHERE t.txid IN $t SET t:Unclustered:Recluster",
              t=[T1, T2, T3, CJ]).consume()
    assert Clusterer(graph, ClusterConfig()).run().txs == 4  # evidence replaced, not doubled
    assert (one(graph, "cluster/of_address", address=ADDR["D"]), evidence(graph)) == want


def test_inputs_written_a_batch_later_complete_their_blocks_and_recluster(graph: Graph) -> None:
    """load/bitcoin/blocks, spends, complete_blocks, loaded_blocks: the loader writes a batch's
    inputs with a later batch. Until then its blocks are not counted as loaded; a transaction
    clustered in between (a `chaintrail cluster` during the load) is clustered again."""
    from loaders.bitcoin.load import BitcoinWriter, place_chain
    from loaders.bitcoin.network import MAINNET
    from loaders.bitcoin.rows import Rows, block_rows

    full = clustered(graph, ClusterConfig())
    want = (one(full, "cluster/of_address", address=ADDR["D"]), evidence(full))
    wipe(graph)
    rows = Rows()
    for b in chain():
        block_rows(b, MAINNET, rows)
    later = Rows(blocks=rows.blocks, spends=rows.spends).whole()
    rows.spends = []
    writer = BitcoinWriter(graph)
    try:
        writer.write(rows)
        place_chain(graph)
        assert graph.read("load/bitcoin/loaded_blocks", {"hashes": [G, B1, B2]}) == []
        assert one(graph, "lookup/transaction", txid=T1)["inputs"] == []
        assert Clusterer(graph, ClusterConfig()).run().txs == 7  # none has an input yet
        assert evidence(graph) == []
        writer.write(Rows(spends=later.spends, completed=later.completed))
    finally:
        writer.close()
    loaded = graph.read("load/bitcoin/loaded_blocks", {"hashes": [G, B1, B2]})
    assert sorted(r["hash"] for r in loaded) == sorted([G, B1, B2])
    with graph.driver.session(database=graph.database) as s:
        again = s.run("MATCH (t:Unclustered:Recluster) RETURN t.txid AS t ORDER BY t").data()
    assert [r["t"] for r in again] == sorted([T1, T2, T3, CJ])
    assert Clusterer(graph, ClusterConfig()).run().txs == 4
    assert (one(graph, "cluster/of_address", address=ADDR["D"]), evidence(graph)) == want
