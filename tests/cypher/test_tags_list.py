"""tags/list on a small graph (plain Cypher; tags through the tag loads' queries): tag
attributions filtered by label prefix (any case) and category, in label order, a page at a
time; exact rows."""

from __future__ import annotations

from typing import Any

import pytest

from cypher.runner import Graph
from tests.cypher.test_lookup_tags import A1, A2, A3, A4, ETH, GRAPH, tags
from tests.helpers import wipe, write_tags

pytestmark = pytest.mark.neo4j



@pytest.fixture(scope="module")
def tagged(graph: Graph) -> Graph:
    wipe(graph)
    with graph.driver.session(database=graph.database) as s:
        s.run(GRAPH, a1=A1, a2=A2, a3=A3, a4=A4, eth=ETH).consume()
    # a second address carrying the same label: ordered by address after the label
    write_tags(graph, [*tags(), {"id": "t7", "address": A4, "label": "Exchange X",
                                 "category": "exchange", "confidence": 20, "source": "s7"}])
    return graph


def listed(g: Graph, **params: Any) -> list[tuple[str, str, str]]:
    return [(r["id"], r["label"], r["address"]) for r in g.read("tags/list", params)]


ALL = [("t4", "Alpha", A2), ("t7", "Exchange X", A4), ("t1", "Exchange X", A1),
       ("t5", "Genesis", A4), ("t2", "Hot wallet", A1), ("t6", "Lazarus", ETH),
       ("t3", "Sanctioned", A2)]


def test_every_tag_in_label_order(tagged: Graph) -> None:
    assert listed(tagged) == ALL
    row = tagged.read("tags/list", {"label": "alp"})[0]
    assert row == {"id": "t4", "label": "Alpha", "category": "scam", "abuse": "phishing",
                   "confidence": 60, "confidence_name": None, "source": "s4",
                   "currency": "BTC", "address": A2}


def test_filters_by_label_prefix_and_category(tagged: Graph) -> None:
    assert listed(tagged, label="EXCH") == ALL[1:3]
    assert listed(tagged, category="sanctioned") == [("t6", "Lazarus", ETH),
                                                     ("t3", "Sanctioned", A2)]
    assert listed(tagged, category="exchange", label="hot") == [("t2", "Hot wallet", A1)]
    assert listed(tagged, category="exchange", label="alpha") == []
    assert listed(tagged, category="none") == []


def test_pages_cover_the_list_once(tagged: Graph) -> None:
    pages = [listed(tagged, skip=s, limit=3) for s in (0, 3, 6, 9)]
    assert pages[0] + pages[1] + pages[2] == ALL and pages[3] == []


def test_a_category_is_an_index_seek_not_a_scan(tagged: Graph) -> None:
    text = tagged.registry["tags/list"].text
    with tagged.driver.session(database=tagged.database) as s:
        summary = s.run("PROFILE " + text, label=None, category="exchange", skip=0,
                        limit=10).consume()
    ops = _operators(summary.profile)
    assert any(o["operatorType"].startswith("NodeIndexSeek") for o in ops)
    scans = [o for o in ops if o["operatorType"].startswith("NodeByLabelScan")]
    assert all(o["rows"] == 0 for o in scans), scans


def _operators(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan] + [o for c in plan.get("children", []) for o in _operators(c)]
