"""Clustering real mainnet blocks, each loaded alone with its prevouts, against the facts an
independent parser computed (`../shared/data/bitcoin/facts/*.inputs.facts.json`) and against
the union-find in tests/analysis/partition.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from tests.analysis.heuristics.test_coinjoin import MAINNET_FLAGGED, mainnet_block
from tests.analysis.partition import clustered, co_spends, expected, sizes
from tests.helpers import wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

BLOCKS = (277647, 388381, 419328, 481824, 692261, 709632)

FLAGGED = MAINNET_FLAGGED
"""The transactions our CoinJoin rules flag in each block (txid -> kind), as the rules' own
test lists them: with the filter on, exactly these stop merging."""


@pytest.fixture(params=BLOCKS, ids=str)
def loaded(request: pytest.FixtureRequest, graph: Graph, shared_data: Path) -> tuple[int, Graph]:
    height: int = request.param
    path, h = mainnet_block(shared_data, height)
    prevouts = shared_data / "bitcoin" / "prevouts" / f"{height:07d}.jsonl"
    wipe(graph)
    BitcoinLoader(graph, cluster_config=ClusterConfig(coinjoin_filter=False)).load(
        [path], prevout_files=[prevouts], height=h)
    return height, graph


def test_real_block_clusters(loaded: tuple[int, Graph], shared_data: Path) -> None:
    height, graph = loaded
    part, ids = clustered(graph)
    # 1. the independent union-find over the loaded inputs, filter off
    assert part == expected(graph, skip_coinjoins=False)
    assert all(cid == smallest for smallest, cid in ids.items())
    # 2. the facts, where the block has them
    facts_file = shared_data / "bitcoin" / "facts" / f"{height:07d}.inputs.facts.json"
    if facts_file.exists():
        facts = json.loads(facts_file.read_text())
        # two spellings of the same facts across files
        want = (facts.get("common_input_ownership_clusters")
                or facts["common_input_ownership_clusters_over_input_addresses"])
        largest = want.get("largest", want.get("largest_cluster_sizes"))
        singletons = want.get("singletons", want.get("singleton_clusters"))
        got = sizes(part)
        assert (len(part), got[: len(largest)], got.count(1)) == (
            want["cluster_count"], largest, singletons)
        assert len(set().union(*part)) == facts["distinct_input_addresses"]
    stats = graph.read("cluster/stats")[0]
    assert (stats["clusters"], stats["singletons"], stats["config"]["coinjoin_filter"]) == (
        len(part), sizes(part).count(1), False)
    # 3. with the filter on (a rebuild), exactly the flagged transactions stop merging
    flagged = {t: k for t, (_, k) in co_spends(graph).items() if k is not None}
    assert flagged == FLAGGED.get(height, {})
    Clusterer(graph, ClusterConfig(coinjoin_filter=True)).rebuild()
    on, _ = clustered(graph)
    assert on == expected(graph, skip_coinjoins=True)
    if flagged:
        assert len(on) > len(part)  # the flagged transactions did merge something
    else:
        assert on == part
