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
from tests.analysis.partition import clustered, co_spends, expected, sizes
from tests.helpers import wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

BLOCKS = (277647, 388381, 419328, 481824, 692261, 709632)

FLAGGED: dict[int, dict[str, str]] = {
    388381: {
        "2eea1e485b9fc03f6a402aa4d107783c80a726626c71b861fafa31d4d126a7f1": "generic_equal_output",
    },
    692261: {
        "2315752f64c34ef2c2028dad11367887bda7f977c21a7b5fae649b749e980deb": "generic_equal_output",
        "d2e592ba5427bf1aa344b9b22b2f4041a97470e4c09bc8bb0f52cf0f4c4527e6": "whirlpool_mix",
    },
    709632: {
        "d026288313ea8e8b723317a1eaa6d74d6f274ad773b4aa5365e1994bf5dd8506": "generic_equal_output",
        "7689432894c6d094a1a1050e5365315804ab42e8aab4d00f82da6aabbe389fa1": "wasabi1",
        "178f02c4e12c2d5ec68439ce1507ac121e4d26040a8d8c1f4164cc97df7725fd": "whirlpool_mix",
        "2a13e28dfe25a5004e4ea88ab315134843300606491110d3cf6719b0569c4762": "whirlpool_mix",
        "316c3ad8626a28f7553908c1727951a444896bbba37f52aa36d83be190254c14": "whirlpool_mix",
        "3670f8a1e098f2a9d1c466ee5a3d36938581cae3f930f25fd7c7663dab4feff4": "whirlpool_mix",
        "3a5393ef07dda95ea7130ceaa22190d363e8afb5130f9f2df61a45942be892a7": "whirlpool_mix",
        "3de9e883ef34bd780b7e03e5f27896685b38d29fcf7c9caa29bbb2c2d79a7028": "whirlpool_mix",
        "43acd1a0b681ba7f7f8b9819f162f415a5be832eb32a127cc78f8bbbe481a502": "whirlpool_mix",
        "5201a70b76f4e150109542b6d018bf227aa9e8913dc8613a969968d4b6d10547": "whirlpool_mix",
        "56d0b9f165628f79d3463d5ef43969589b59569ca4be3d34df6efeb5f50620bf": "whirlpool_mix",
        "70ba4472400d04e402d5f4700af4cc4c70a9fcc05ef6e17d65acdcfbc9de6490": "whirlpool_mix",
        "81c45762bed3bca32a250e5066476974475c2593b06cae20f729e37b85ec56b2": "whirlpool_mix",
        "96d6dc03e619cb116bfa679b967f66640cab364c7f0d2769f1cb6cd8514965fc": "whirlpool_mix",
        "a47b7112cf6555acb7325cd9aa4a404cf7226297117468f06f281e387c55cab5": "whirlpool_mix",
        "b63df9d685673ecd316fad9d532b5aa630dfc5c6077409936957a4d5470947d4": "whirlpool_mix",
        "bb3c41f8b13bab878585295126553b3f4f18fa0dd69be6ddb9441911e0b57e9e": "whirlpool_mix",
        "d9679ae8932de23e856cc1028d317b375c23f3a07b520e68438592f16004977e": "whirlpool_mix",
        "daac8fe60c72917415370b67629686aabdd1dac939f54e7e37b8b36b20801737": "whirlpool_mix",
        "de5d7a8ef867aacad0cf65f49ca1fc094b985efc4d34fef904c42ef60188b231": "whirlpool_mix",
        "ece4c68e16d10a0de4a28c3433f1341b79559d99ed9e38420ea31e60cf72b5fd": "whirlpool_mix",
        "f0e94aeb1ff1df5a689285c636902b3d275129109b23cfc5f59cae74f19a7832": "whirlpool_mix",
        "0faa3fd88db411cde78990f9eb00a06e44edd9c92344a32fd8df76d3acd3740b": "whirlpool_tx0",
    },
}
"""The transactions our CoinJoin rules flag in each block (txid -> kind): with the filter on,
exactly these stop merging."""


def block_file(shared: Path, height: int) -> tuple[Path, int | None]:
    if height == 277647:
        return shared / "bitcoin" / "blk" / "btcd-277647.dat.bz2", None
    return shared / "bitcoin" / "raw" / f"{height:07d}.raw", height


@pytest.fixture(params=BLOCKS, ids=str)
def loaded(request: pytest.FixtureRequest, graph: Graph, shared_data: Path) -> tuple[int, Graph]:
    height: int = request.param
    path, h = block_file(shared_data, height)
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
