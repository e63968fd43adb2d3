"""search(text) with a typed hit per kind, the tags domain (`tags(label, category)`) and the
clustering's statistics through the API, on the clustering test's small hand-built chain with
a few tags; answers equal the stored queries'."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analysis.clustering import ClusterConfig, Clusterer
from api.app import create_app
from api.schema.search import MAX_SEARCH
from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.api.conftest import gql
from tests.cypher.test_cluster import ABCD, ADDR, B1, T1
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import wipe, write_blocks, write_tags

pytestmark = pytest.mark.neo4j

TAGS = [("t1", "Exchange A", "exchange", 50, "A"), ("t2", "exchange A cold", "exchange", 70, "B"),
        ("t3", "Mixer M", "mixer", 20, "J"), ("t4", "Exchange Z", "exchange", 10, "Z"),
        ("t5", "OFAC: Evil", "sanctioned", 100, "A")]


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, small_chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    write_tags(graph, [{"id": tag_id, "address": ADDR[name], "label": label,
                        "category": category, "confidence": confidence, "source": "test"}
                       for tag_id, label, category, confidence, name in TAGS])
    return graph


@pytest.fixture(scope="module")
def client(small: Graph, neo4j_settings: Settings,
           api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


SEARCH_Q = """query($t: String!, $limit: Int! = 10) { search(text: $t, limit: $limit) {
  __typename
  ... on SearchResults { hits { __typename
      ... on AddressHit { address scriptType } ... on TransactionHit { txid height }
      ... on BlockHit { hash height } ... on TagHit { label category address } } }
  ... on LimitExceeded { message } } }"""


def hits(client: TestClient, text: str, limit: int = 10) -> list[dict[str, Any]]:
    result = gql(client, SEARCH_Q, t=text, limit=limit)["search"]
    assert result["__typename"] == "SearchResults", result
    return list(result["hits"])


def expected(small: Graph, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """search/prefix's rows as the API's typed hits."""
    out = []
    for r in small.read("search/prefix", {"text": text, "limit": limit}):
        kind = r["kind"]
        if kind == "address":
            out.append({"__typename": "AddressHit", "address": r["id"],
                        "scriptType": r["label"]})
        elif kind == "transaction":
            out.append({"__typename": "TransactionHit", "txid": r["id"], "height": r["height"]})
        elif kind == "block":
            out.append({"__typename": "BlockHit", "hash": r["id"], "height": r["height"]})
        else:
            out.append({"__typename": "TagHit", "label": r["label"],
                        "category": r["category"], "address": r["id"]})
    return out


def test_search_finds_every_kind_by_prefix(client: TestClient, small: Graph) -> None:
    assert hits(client, ADDR["C"][:-2]) == [
        {"__typename": "AddressHit", "address": ADDR["C"], "scriptType": "p2pkh"}]
    assert hits(client, T1[:10].upper()) == [
        {"__typename": "TransactionHit", "txid": T1, "height": 1}]
    assert hits(client, B1[:6]) == [{"__typename": "BlockHit", "hash": B1, "height": 1}]
    assert hits(client, "EXCHANGE a") == [
        {"__typename": "TagHit", "label": "Exchange A", "category": "exchange",
         "address": ADDR["A"]},
        {"__typename": "TagHit", "label": "exchange A cold", "category": "exchange",
         "address": ADDR["B"]}]
    for text in (ADDR["A"][:5], "1", "exch", B1[:4], T1[:4]):
        assert hits(client, text) == expected(small, text), text
    assert hits(client, "exch", limit=1) == expected(small, "exch", 1)
    assert len(hits(client, "exch", limit=1)) == 1


def test_search_limits(client: TestClient) -> None:
    assert hits(client, "   ") == []
    assert hits(client, "no such thing") == []
    for limit in (0, MAX_SEARCH + 1):
        assert gql(client, SEARCH_Q, t="exch", limit=limit)["search"] == {
            "__typename": "LimitExceeded",
            "message": f"limit must be between 1 and {MAX_SEARCH}, not {limit}"}
    assert len(hits(client, "exch", limit=MAX_SEARCH)) == 3


TAGS_Q = """query($label: String, $category: String, $first: Int!, $after: String) {
  tags(label: $label, category: $category, first: $first, after: $after) { __typename
    ... on TagAttributionConnection { edges { node { id label category abuse confidence
          confidenceName source currency address } } pageInfo { hasNextPage endCursor } }
    ... on LimitExceeded { message } ... on InvalidInput { message } } }"""

TAG_COLS = {"id": "id", "label": "label", "category": "category", "abuse": "abuse",
            "confidence": "confidence", "confidence_name": "confidenceName",
            "source": "source", "currency": "currency", "address": "address"}


def all_tags(client: TestClient, first: int, **filters: Any) -> list[dict[str, Any]]:
    nodes, after = [], None
    while True:
        conn = gql(client, TAGS_Q, first=first, after=after, **filters)["tags"]
        assert conn["__typename"] == "TagAttributionConnection", conn
        nodes += [e["node"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes
        after = conn["pageInfo"]["endCursor"]


@pytest.mark.parametrize("filters", [{}, {"label": "exchange"}, {"category": "exchange"},
                                     {"label": "EXCHANGE A", "category": "exchange"},
                                     {"category": "sanctioned"}, {"label": "nothing"}])
def test_tags_equal_the_stored_query(client: TestClient, small: Graph,
                                     filters: dict[str, str]) -> None:
    want = [{api: r[col] for col, api in TAG_COLS.items()}
            for r in small.read("tags/list", {**filters, "limit": 1000})]
    assert all_tags(client, 2, **filters) == want
    assert all_tags(client, 100, **filters) == want


def test_tags_filter_page_and_refuse(client: TestClient) -> None:
    assert [(n["id"], n["address"]) for n in all_tags(client, 1, category="exchange")] == [
        ("t1", ADDR["A"]), ("t4", ADDR["Z"]), ("t2", ADDR["B"])]
    assert [n["id"] for n in all_tags(client, 3)] == ["t1", "t4", "t3", "t5", "t2"]
    first = gql(client, TAGS_Q, first=1, category="exchange")["tags"]
    cursor = first["pageInfo"]["endCursor"]
    # a cursor of another filter's list is refused, not applied to this one
    assert gql(client, TAGS_Q, first=1, after=cursor, category="mixer")["tags"][
        "__typename"] == "InvalidInput"
    assert gql(client, TAGS_Q, first=101)["tags"]["__typename"] == "LimitExceeded"


def test_tagged_addresses_are_batched(client: TestClient, small: Graph) -> None:
    q = """{ tags(first: 10) { ... on TagAttributionConnection { edges { node { address
             taggedAddress { address received cluster { id size } tags { label } } } } } } }"""
    gql(client, "{ __typename }")  # the API key is checked (and cached) before counting
    before = _round_trips(client)
    edges = gql(client, q)["tags"]["edges"]
    assert _round_trips(client) - before == 2  # tags/list, then batch/addresses (clusters, tags)
    by = {e["node"]["address"]: e["node"]["taggedAddress"] for e in edges}
    a = by[ADDR["A"]]
    want = small.read("lookup/address", {"address": ADDR["A"]})[0]
    assert a["received"] == str(want["received"])
    assert a["cluster"] == {"id": ABCD[0], "size": 4}
    assert sorted(t["label"] for t in a["tags"]) == ["Exchange A", "OFAC: Evil"]


def _round_trips(client: TestClient) -> int:
    text = client.get("/metrics").text
    line = next((x for x in text.splitlines()
                 if x.startswith("chaintrail_neo4j_queries_total ")), None)
    return int(float(line.split()[1])) if line else 0


def test_cluster_stats_and_largest_clusters(client: TestClient, small: Graph) -> None:
    got = gql(client, """{ clusterStats { __typename ... on ClusterStats { clusters
        clusteredAddresses largest singletons
        config { coinjoinFilter changeHeuristics heuristics } } } }""")["clusterStats"]
    want = small.read("cluster/stats", {})[0]
    assert got == {"__typename": "ClusterStats", "clusters": want["clusters"],
                   "clusteredAddresses": want["clustered_addresses"],
                   "largest": want["largest"], "singletons": want["singletons"],
                   "config": {"coinjoinFilter": want["config"]["coinjoin_filter"],
                              "changeHeuristics": want["config"]["change_heuristics"],
                              "heuristics": want["config"]["heuristics"]}}
    assert got["largest"] == 4
    largest = gql(client, """{ largestClusters(first: 5) { ... on LargestClusters { clusters {
        id size topMergeTxid topMergeAddresses } } } }""")["largestClusters"]["clusters"]
    assert largest == [{"id": r["cluster_id"], "size": r["size"],
                        "topMergeTxid": r["top_merge_txid"],
                        "topMergeAddresses": r["top_merge_addresses"]}
                       for r in small.read("cluster/largest", {"limit": 5})]
    assert largest[0] == {"id": ABCD[0], "size": 4, "topMergeTxid": T1, "topMergeAddresses": 2}
    over = gql(client, "{ largestClusters(first: 101) { __typename } }")["largestClusters"]
    assert over == {"__typename": "LimitExceeded"}
