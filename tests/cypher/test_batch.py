"""The API's DataLoader reads on Bitcoin (batch/addresses, batch/clusters, batch/tags), exact
answers on the clustering test's hand-built chain with two tags on one address. The Ethereum
branches are tested in test_eth_queries.py."""

from __future__ import annotations

import pytest

from analysis.clustering import ClusterConfig
from cypher.runner import Graph
from tests.cypher.test_cluster import ABCD, ADDR, clustered
from tests.handbuilt import p2pkh, pkh
from tests.helpers import write_tags

pytestmark = pytest.mark.neo4j

BTC = 100_000_000
UNKNOWN = p2pkh(pkh(200))  # a script nothing in the chain pays
TAGS = [{"label": "Exchange A", "category": "exchange", "source": "test", "confidence": 80,
         "abuse": None},
        {"label": "Aardvark", "category": "service", "source": "test", "confidence": 50,
         "abuse": None},
        {"label": "Zebra", "category": "service", "source": "test", "confidence": 50,
         "abuse": None}]


@pytest.fixture(scope="module")
def tagged(graph: Graph) -> Graph:
    clustered(graph, ClusterConfig())
    write_tags(graph, [{"id": f"t{i}", "address": ADDR["A"],
                        **{k: v for k, v in t.items() if k != "abuse"}}
                       for i, t in enumerate(reversed(TAGS))])
    return graph


def test_addresses_with_their_cluster_and_tags(tagged: Graph) -> None:
    rows = tagged.read("batch/addresses", {"addresses": [ADDR["B"], UNKNOWN, ADDR["A"],
                                                         ADDR["X"]]})
    by = {r["address"]: r for r in rows}
    assert set(by) == {ADDR["A"], ADDR["B"], ADDR["X"]}  # the unknown one: no row
    a, b, x = by[ADDR["A"]], by[ADDR["B"]], by[ADDR["X"]]
    assert (a["received"], a["sent"], a["balance"], a["output_count"], a["first_height"],
            a["last_height"]) == (10 * BTC, 10 * BTC, 0, 1, 0, 1)
    assert (b["received"], b["sent"], b["balance"], b["output_count"], b["first_height"],
            b["last_height"]) == (20 * BTC + 49 * BTC // 10, 20 * BTC, 49 * BTC // 10, 3, 0, 2)
    assert (a["cluster_id"], a["cluster_size"]) == (b["cluster_id"], b["cluster_size"]) == (
        ABCD[0], 4)
    assert (x["cluster_id"], x["cluster_size"]) == (ADDR["X"], 1)  # never spent: alone
    assert a["tags"] == TAGS  # confidence first, then label
    assert b["tags"] == x["tags"] == []
    assert all(r["balances"] is None and r["kind"] is None for r in rows)


def test_clusters_and_tags_alone(tagged: Graph) -> None:
    clusters = tagged.read("batch/clusters", {"addresses": [ADDR["C"], ADDR["X"], UNKNOWN]})
    assert sorted(clusters, key=lambda r: r["address"]) == sorted([
        {"address": ADDR["C"], "cluster_id": ABCD[0], "size": 4},
        {"address": ADDR["X"], "cluster_id": ADDR["X"], "size": 1}],
        key=lambda r: r["address"])
    assert tagged.read("batch/tags", {"addresses": [ADDR["A"], ADDR["B"]]}) == [
        {"address": ADDR["A"], "tags": TAGS}]
