"""`lookup/tags` on a small graph (plain Cypher; tags through the tag loads' queries): an
address's own tags, the tags its cluster's other members carry (inherited, with the member as
evidence), an Ethereum account's own tags (chain ethereum), exact rows; and the OFAC Ethereum
lists loaded and looked up."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from chaintrail.errors import ParameterError
from cypher.runner import Graph
from loaders.tags.load import TagLoader
from tests.helpers import wipe, write_tags

pytestmark = pytest.mark.neo4j

A1 = "1Archive1n2C579dMsAu3iC6tWzuQJz8dN"
A2 = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"  # in A1's cluster
A3 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # alone, untagged
A4 = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # alone, tagged
ETH = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"

GRAPH = """
CREATE (a1:Address {address: $a1, script_type: 'p2pkh'}),
       (a2:Address {address: $a2, script_type: 'p2sh'}),
       (:Address {address: $a3, script_type: 'p2wpkh'}),
       (:Address {address: $a4, script_type: 'p2pkh'}),
       (:Account {address: $eth, kind: 'eoa'}),
       (c:Cluster {id: $a1, size: 2}),
       (a1)-[:IN_CLUSTER]->(c), (a2)-[:IN_CLUSTER]->(c)
"""


def tags() -> list[dict[str, Any]]:
    """The tags of GRAPH, written through the tag loads' queries (`write_tags`)."""
    return [
        {"id": "t1", "address": A1, "label": "Exchange X", "category": "exchange",
         "confidence": 50, "source": "s1"},
        {"id": "t2", "address": A1, "label": "Hot wallet", "category": "exchange",
         "confidence": 100, "source": "s2"},
        {"id": "t3", "address": A2, "label": "Sanctioned", "category": "sanctioned",
         "confidence": 60, "source": "ofac"},
        {"id": "t4", "address": A2, "label": "Alpha", "category": "scam", "abuse": "phishing",
         "confidence": 60, "source": "s4"},
        {"id": "t5", "address": A4, "label": "Genesis", "category": "miner", "confidence": 100,
         "source": "s5"},
        {"id": "t6", "address": ETH, "label": "Lazarus", "category": "sanctioned",
         "confidence": 60, "source": "ofac", "currency": "ETH"},
    ]


@pytest.fixture(scope="module")
def tagged(graph: Graph) -> Graph:
    wipe(graph)
    with graph.driver.session(database=graph.database) as s:
        s.run(GRAPH, a1=A1, a2=A2, a3=A3, a4=A4, eth=ETH).consume()
    write_tags(graph, tags())
    return graph


def row(label: str, category: str, abuse: str | None, confidence: int, source: str,
        inherited: bool, via: str) -> dict[str, Any]:
    return {"label": label, "category": category, "abuse": abuse, "confidence": confidence,
            "source": source, "inherited": inherited, "via_address": via}


def rows(g: Graph, address: str, **params: Any) -> list[dict[str, Any]]:
    cols = ("label", "category", "abuse", "confidence", "source", "inherited", "via_address")
    return [{c: r[c] for c in cols} for r in g.read("lookup/tags", {"address": address, **params})]


HOT = ("Hot wallet", "exchange", None, 100, "s2")
EXCHANGE = ("Exchange X", "exchange", None, 50, "s1")
ALPHA = ("Alpha", "scam", "phishing", 60, "s4")
SANCTIONED = ("Sanctioned", "sanctioned", None, 60, "ofac")


def test_own_tags_first_then_the_cluster_s_with_their_evidence(tagged: Graph) -> None:
    assert rows(tagged, A1) == [
        row(*HOT, False, A1), row(*EXCHANGE, False, A1),
        row(*ALPHA, True, A2), row(*SANCTIONED, True, A2)]
    assert rows(tagged, A2) == [
        row(*ALPHA, False, A2), row(*SANCTIONED, False, A2),
        row(*HOT, True, A1), row(*EXCHANGE, True, A1)]


def test_inherited_tags_are_bounded(tagged: Graph) -> None:
    assert rows(tagged, A2, limit=1) == [
        row(*ALPHA, False, A2), row(*SANCTIONED, False, A2), row(*HOT, True, A1)]
    assert rows(tagged, A2, limit=0) == [row(*ALPHA, False, A2), row(*SANCTIONED, False, A2)]


def test_an_address_alone_has_only_its_own(tagged: Graph) -> None:
    assert rows(tagged, A4) == [row("Genesis", "miner", None, 100, "s5", False, A4)]


def test_untagged_and_unknown_addresses_have_no_rows(tagged: Graph) -> None:
    assert rows(tagged, A3) == []
    assert rows(tagged, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT") == []


def test_ethereum_accounts_are_found_in_any_case(tagged: Graph) -> None:
    lazarus = [row("Lazarus", "sanctioned", None, 60, "ofac", False, ETH)]
    assert rows(tagged, ETH, chain="ethereum") == lazarus
    assert rows(tagged, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", chain="ethereum") \
        == lazarus
    assert rows(tagged, ETH) == []  # the Bitcoin side (the default) has no such address
    assert rows(tagged, A1, chain="ethereum") == []  # nor the Ethereum side a Bitcoin one
    with pytest.raises(ParameterError, match="bitcoin, ethereum"):
        rows(tagged, ETH, chain="tron")


def test_the_query_declares_the_issue_columns(tagged: Graph) -> None:
    q = tagged.registry["lookup/tags"]
    assert (q.mode, list(q.columns[:7])) == ("read", [
        "label", "category", "abuse", "confidence", "source", "inherited", "via_address"])
    assert list(tagged.read("lookup/tags", {"address": A1})[0]) == list(q.columns)


@pytest.mark.shared
def test_ofac_ethereum_addresses_are_found_after_loading_the_lists(
        empty_graph: Graph, shared_data: Path) -> None:
    """Every address of the OFAC Ethereum lists (0xB10C's text list, ultrasoundmoney's CSV
    with names) is found by lookup/tags on Ethereum, in any case, with each list's claim."""
    labels = shared_data / "labels"
    eth_list = labels / "ofac-0xB10C" / "sanctioned_addresses_ETH.txt"
    named = labels / "ofac-ultrasoundmoney" / "data.csv"
    if not (eth_list.is_file() and named.is_file()):
        pytest.skip(f"the OFAC lists are not in {labels}")
    TagLoader(empty_graph).load([eth_list, named])
    listed = [ln.strip() for ln in eth_list.read_text().splitlines() if ln.strip()]
    with named.open(newline="") as f:
        names = [(r["address"].strip(), r["name"].strip()) for r in csv.DictReader(f)]
    want: dict[str, set[tuple[str, str, str]]] = {}
    for a in listed:
        want.setdefault(a.lower(), set()).add(("OFAC SDN", "sanctioned", "ofac"))
    for a, name in names:
        want.setdefault(a.lower(), set()).add((name, "sanctioned", "ofac"))
    assert len(want) > 100
    for address in [*listed, *(a for a, _ in names)]:
        got = empty_graph.read("lookup/tags", {"address": address, "chain": "ethereum"})
        assert {(r["label"], r["category"], r["source"]) for r in got} == want[address.lower()]
        assert {(r["currency"], r["inherited"], r["via_address"]) for r in got} == {
            ("ETH", False, address.lower())}
