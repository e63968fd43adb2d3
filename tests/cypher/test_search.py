"""search/prefix on the clustering test's small chain, with exact answers."""

from __future__ import annotations

import pytest

from cypher.runner import Graph
from tests.cypher.test_cluster import ADDR, B2, T1, chain
from tests.helpers import wipe, write_blocks, write_tags

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, chain())
    write_tags(graph, [
        {"id": "t", "address": ADDR["B"], "label": "Binance hot", "category": "exchange"},
        {"id": "u", "address": ADDR["C"], "label": "binance cold", "category": "exchange"}])
    return graph


def test_prefixes_of_every_kind(small: Graph) -> None:
    assert small.read("search/prefix", {"text": T1[:8].upper()}) == [
        {"kind": "transaction", "id": T1, "label": "1", "height": 1, "category": None}]
    assert small.read("search/prefix", {"text": ADDR["C"]}) == [
        {"kind": "address", "id": ADDR["C"], "label": "p2pkh", "height": None,
         "category": None}]
    assert small.read("search/prefix", {"text": "binance"}) == [
        {"kind": "tag", "id": ADDR["B"], "label": "Binance hot", "height": None,
         "category": "exchange"},
        {"kind": "tag", "id": ADDR["C"], "label": "binance cold", "height": None,
         "category": "exchange"}]
    assert small.read("search/prefix", {"text": "BINANCE", "limit": 1}) == [
        {"kind": "tag", "id": ADDR["B"], "label": "Binance hot", "height": None,
         "category": "exchange"}]
    blocks = small.read("search/prefix", {"text": "0303"})
    assert [(r["kind"], r["id"], r["label"], r["height"]) for r in blocks] == [
        ("block", B2, "2", 2)]
    assert small.read("search/prefix", {"text": "a1a"}) == []  # ids need 4 characters
    assert len(small.read("search/prefix", {"text": "1", "limit": 2})) == 0
