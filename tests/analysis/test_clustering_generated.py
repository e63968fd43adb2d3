"""Clustering a generated chain against its truth: entities, CoinJoins, and the same clusters
whatever the order (incremental in either direction, rebuild)."""

from __future__ import annotations

import itertools
import json
import struct
from collections import Counter
from math import comb
from pathlib import Path
from typing import Any

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.sample import generate_chain
from tests.analysis.partition import Partition, clustered, co_spends, expected
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j

TXS, SEED = 4_000, 21
MAGIC_REGTEST = bytes.fromhex("fabfb5da")


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("cluster-chain")
    generate_chain(out, txs=TXS, seed=SEED)
    return out, json.loads((out / "truth.json").read_text())


def blk_files(out: Path) -> list[Path]:
    return sorted(out.glob("blk*.dat"))


def cluster_state(graph: Graph) -> list[Any]:
    """Every cluster with its id, size, top merge and members: what must not depend on order."""
    with graph.driver.session(database=graph.database) as s:
        return s.run(
            "MATCH (a:Address)-[:IN_CLUSTER]->(c:Cluster) "
            "WITH c, a ORDER BY a.address "
            "RETURN c.id AS id, c.size AS size, c.top_merge_txid AS top, "
            "c.top_merge_addresses AS top_n, collect(a.address) AS members ORDER BY id").data()


@pytest.fixture(scope="module")
def incremental(graph: Graph, chain: tuple[Path, dict[str, Any]]) -> list[Any]:
    """Loaded in chain order, clustered as it loads, filter on."""
    wipe(graph)
    BitcoinLoader(graph, batch_txs=500).load(blk_files(chain[0]))
    return cluster_state(graph)


def owners(truth: dict[str, Any]) -> dict[str, str]:
    return {a: eid for eid, e in truth["entities"].items() for a in e["addresses"]}


def scores(part: Partition, owner: dict[str, str]) -> tuple[float, float, int]:
    """Pairwise precision and recall over the clustered addresses, and the number of clusters
    holding more than one true entity."""
    both = sum(comb(n, 2) for c in part for n in Counter(owner[a] for a in c).values())
    predicted = sum(comb(len(c), 2) for c in part)
    true = sum(comb(n, 2) for n in Counter(owner[a] for c in part for a in c).values())
    mixed = sum(1 for c in part if len({owner[a] for a in c}) > 1)
    return (both / predicted if predicted else 1.0), (both / true if true else 1.0), mixed


def test_filter_on_never_merges_two_entities(
        graph: Graph, chain: tuple[Path, dict[str, Any]], incremental: list[Any]) -> None:
    part, _ = clustered(graph)
    assert part == expected(graph, skip_coinjoins=True)
    precision, recall, mixed = scores(part, owners(chain[1]))
    print(f"\nfilter on: {len(part)} clusters, precision {precision:.4f}, recall {recall:.4f}")
    # The generator marks no deliberate error case: every cluster is one entity's.
    assert (mixed, precision) == (0, 1.0)
    assert recall < 1.0  # entities that never co-spend stay split: the heuristic's limit


def test_every_coinjoin_is_flagged_with_its_kind(
        graph: Graph, chain: tuple[Path, dict[str, Any]], incremental: list[Any]) -> None:
    kinds = {t: k for t, (_, k) in co_spends(graph).items() if k is not None}
    truth = {c["txid"]: c["kind"] for c in chain[1]["coinjoins"]}
    assert kinds == truth
    assert set(truth.values()) == {"joinmarket", "wasabi1", "wasabi2", "whirlpool_tx0",
                                   "whirlpool_mix"}


def participants_apart(graph: Graph, truth: dict[str, Any]) -> tuple[int, int]:
    """(CoinJoins whose participants share a cluster, collaborative CoinJoins checked)."""
    owner = owners(truth)
    part, _ = clustered(graph)
    cluster_of = {a: c for c in part for a in c}
    spends = co_spends(graph)
    merged = checked = 0
    for cj in truth["coinjoins"]:
        if cj["participants"] < 2:
            continue
        checked += 1
        addrs = spends[cj["txid"]][0]
        clusters = {cluster_of[a] for a in addrs}
        owners_in = {owner[a] for a in addrs}
        if len(clusters) < len(owners_in):
            merged += 1
    return merged, checked


def test_coinjoin_participants_apart_with_filter_on_together_with_it_off(
        graph: Graph, chain: tuple[Path, dict[str, Any]], incremental: list[Any]) -> None:
    merged, checked = participants_apart(graph, chain[1])
    assert checked > 0 and merged == 0
    Clusterer(graph, ClusterConfig(coinjoin_filter=False)).rebuild()
    try:
        part, _ = clustered(graph)
        assert part == expected(graph, skip_coinjoins=False)
        merged, checked = participants_apart(graph, chain[1])
        assert merged == checked  # every collaborative CoinJoin now joins its participants
        precision, recall, mixed = scores(part, owners(chain[1]))
        print(f"\nfilter off: {len(part)} clusters, precision {precision:.4f}, "
              f"recall {recall:.4f}, {mixed} clusters mixing entities")
        assert mixed > 0 and precision < 1.0
    finally:
        Clusterer(graph, ClusterConfig(coinjoin_filter=True)).rebuild()


def test_rebuild_equals_incremental(graph: Graph, incremental: list[Any]) -> None:
    Clusterer(graph, ClusterConfig()).rebuild()
    assert cluster_state(graph) == incremental


def reversed_blk(src: list[Path], dest: Path) -> Path:
    records = []
    for f in src:
        data, pos = f.read_bytes(), 0
        while pos + 8 <= len(data) and data[pos:pos + 4] == MAGIC_REGTEST:
            (n,) = struct.unpack_from("<I", data, pos + 4)
            records.append(data[pos:pos + 8 + n])
            pos += 8 + n
    dest.write_bytes(b"".join(reversed(records)))
    return dest


def test_load_order_does_not_matter(graph: Graph, chain: tuple[Path, dict[str, Any]],
                                    incremental: list[Any], tmp_path: Path) -> None:
    backwards = reversed_blk(blk_files(chain[0]), tmp_path / "blk00000.dat")
    wipe(graph)
    # small batches, so that spends arrive long before the outputs they spend
    summary = BitcoinLoader(graph, batch_txs=300).load([backwards])
    with graph.driver.session(database=graph.database) as s:  # every input linked, all whole
        assert s.run("MATCH ()-[r:SPENT_BY]->() RETURN count(r) AS n").single(
            strict=True)["n"] == summary.inputs
        assert s.run("MATCH (b:Block) WHERE b.inputs_pending IS NOT NULL RETURN count(b) AS n"
                     ).single(strict=True)["n"] == 0
    assert cluster_state(graph) == incremental
    # and in two halves with clustering deferred, then `cluster` (no rebuild)
    wipe(graph)
    files = blk_files(chain[0])
    BitcoinLoader(graph, cluster=False).load(files)
    assert cluster_state(graph) == []
    Clusterer(graph, ClusterConfig()).run()
    assert cluster_state(graph) == incremental


def test_explain_steps_are_real_co_spends(graph: Graph, chain: tuple[Path, dict[str, Any]],
                                         incremental: list[Any]) -> None:
    if cluster_state(graph) != incremental:  # run alone or after a test that changed it
        wipe(graph)
        BitcoinLoader(graph).load(blk_files(chain[0]))
    spends = co_spends(graph)
    steps_seen = 0
    for c in sorted(incremental, key=lambda c: (-c["size"], c["id"]))[:10]:
        a, b = c["members"][0], c["members"][-1]
        steps = graph.read("cluster/explain", {"a": a, "b": b})
        assert steps, (a, b)
        assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
        assert (steps[0]["address_from"], steps[-1]["address_to"]) == (a, b)
        for prev, nxt in itertools.pairwise(steps):
            assert prev["address_to"] == nxt["address_from"]
        for s in steps:
            assert (s["heuristic"], s["version"]) == ("multi_input", 1)
            inputs, kind = spends[s["txid"]]
            assert {s["address_from"], s["address_to"]} <= inputs and kind is None
        steps_seen += len(steps)
    assert steps_seen >= 10
    other = next(c for c in incremental if c["id"] != incremental[0]["id"])
    assert graph.read("cluster/explain", {"a": incremental[0]["members"][0],
                                          "b": other["members"][0]}) == []
