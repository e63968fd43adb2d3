"""Every case/* query and the case constraints on a tiny graph built with plain Cypher (one
address and one transaction), with exact answers."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j.exceptions import ConstraintError

from cypher.runner import Graph, to_plain
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j

A = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
A_UNLOADED = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
TX = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
T0, T1, T2 = "2025-01-31T09:00:00.000000Z", "2025-01-31T10:00:00.000000Z", \
    "2025-01-31T11:00:00.000000Z"
TRACE = '{"kind":"forward","max_hops":3}'


def run(graph: Graph, query: str, **params: Any) -> list[dict[str, Any]]:
    """A stored query of either mode in its own transaction; its rows."""
    q = graph.registry[query]
    with graph.driver.session(database=graph.database) as s:
        return [{k: to_plain(v) for k, v in r.items()} for r in s.run(q.text, q.bind(params))]


def count(graph: Graph, cypher: str) -> int:
    with graph.driver.session(database=graph.database) as s:
        rec = s.run(cypher).single()
        assert rec is not None
        return int(rec[0])


def item(i: int, kind: str, ref: str | None, **more: Any) -> dict[str, Any]:
    return {"id": f"i{i}", "pos": i, "kind": kind, "ref": ref, "params": None, "text": None,
            "digest": None, "run_at": None, "row_budget": None, **more}


def listed(i: int, kind: str, ref: str | None, loaded: bool, at: str = T1,
           **more: Any) -> dict[str, Any]:
    """An item as case/items and case/add_items return it."""
    return {"id": f"i{i}", "kind": kind, "ref": ref, "params": None, "text": None,
            "digest": None, "run_at": None, "added_by": "alice", "added_by_key": "k1",
            "added_at": at, "removed_by": None, "removed_by_key": None, "removed_at": None,
            "loaded": loaded, **more}


ITEMS = [item(0, "address", A), item(1, "address", A_UNLOADED), item(2, "transaction", TX),
         item(3, "trace", A, params=TRACE, digest="d" * 64, run_at=T0, row_budget=1000),
         item(4, "note", None, text="seen on a forum")]
LISTED = [listed(0, "address", A, True), listed(1, "address", A_UNLOADED, False),
          listed(2, "transaction", TX, True),
          listed(3, "trace", A, False, params=TRACE, digest="d" * 64, run_at=T0),
          listed(4, "note", None, False, text="seen on a forum")]


@pytest.fixture
def tiny(graph: Graph) -> Graph:
    wipe(graph)
    with graph.driver.session(database=graph.database) as s:
        s.run("CREATE (:Address {address: $a}), (:Transaction {txid: $t})", a=A, t=TX).consume()
    return graph


def create(graph: Graph, cid: str = "c1", name: str = "Ransom 42", at: str = T0) -> None:
    assert run(graph, "case/create", id=cid, name=name, description="the payments",
               by="alice", key_id="k1", at=at) == [{"id": cid}]


def add(graph: Graph, items: list[dict[str, Any]] | None = None,
        at: str = T1) -> list[dict[str, Any]]:
    return run(graph, "case/add_items", case_id="c1", items=ITEMS if items is None else items,
               by="alice", key_id="k1", at=at)


def test_create_and_get(tiny: Graph) -> None:
    create(tiny)
    assert tiny.read("case/get", {"id": "c1"}) == [{
        "id": "c1", "name": "Ransom 42", "description": "the payments", "created_by": "alice",
        "created_by_key": "k1", "created_at": T0, "updated_at": T0, "item_count": 0,
        "trace_count": 0, "row_budget": 0}]
    assert tiny.read("case/get", {"id": "c2"}) == []
    with pytest.raises(ConstraintError):  # the case_id constraint (schema/14_case_id)
        create(tiny)


def test_add_items_links_what_is_loaded(tiny: Graph) -> None:
    create(tiny)
    assert add(tiny) == LISTED
    assert count(tiny, "MATCH (:CaseItem)-[:REFERS_TO]->(x) RETURN count(x)") == 2
    assert count(tiny, "MATCH (:CaseItem {id: 'i0'})-[:REFERS_TO]->(:Address {address: '"
                 + A + "'}) RETURN count(*)") == 1
    got = tiny.read("case/get", {"id": "c1"})[0]
    assert (got["item_count"], got["trace_count"], got["row_budget"], got["updated_at"]) == (
        5, 1, 1000, T1)
    assert run(tiny, "case/add_items", case_id="nope", items=ITEMS, by="alice", key_id="k1",
               at=T1) == []
    assert count(tiny, "MATCH (i:CaseItem) RETURN count(i)") == 5
    with pytest.raises(ConstraintError):  # the case_item_id constraint
        add(tiny, [item(0, "note", None, text="again")])


def test_items_in_order_paged_and_removed(tiny: Graph) -> None:
    create(tiny)
    add(tiny, ITEMS[3:])  # trace and note first, then the rest later
    add(tiny, ITEMS[:3], at=T2)
    order = [LISTED[3], LISTED[4], *({**x, "added_at": T2} for x in LISTED[:3])]
    assert tiny.read("case/items", {"case_id": "c1"}) == order
    assert tiny.read("case/items", {"case_id": "c1", "skip": 1, "limit": 2}) == order[1:3]
    assert run(tiny, "case/remove_items", case_id="c1", item_ids=["i4", "i0", "x"],
               by="bob", key_id="k2", at=T2) == [{"id": "i0"}, {"id": "i4"}]
    assert run(tiny, "case/remove_items", case_id="c1", item_ids=["i4"], by="bob",
               key_id="k2", at=T2) == []  # already removed: kept as it was
    assert run(tiny, "case/remove_items", case_id="c2", item_ids=["i1"], by="bob",
               key_id="k2", at=T2) == []
    assert [r["id"] for r in tiny.read("case/items", {"case_id": "c1"})] == ["i3", "i1", "i2"]
    removed = {"removed_by": "bob", "removed_by_key": "k2", "removed_at": T2}
    assert tiny.read("case/items", {"case_id": "c1", "include_removed": True}) == [
        order[0], {**order[1], **removed}, {**order[2], **removed}, order[3], order[4]]
    got = tiny.read("case/get", {"id": "c1"})[0]
    assert (got["item_count"], got["trace_count"], got["row_budget"]) == (3, 1, 1000)
    assert count(tiny, "MATCH (i:CaseItem) RETURN count(i)") == 5  # removal keeps them
    assert tiny.read("case/items", {"case_id": "c2"}) == []


def test_update_and_list(tiny: Graph) -> None:
    create(tiny, "c2", "Second", at=T1)
    create(tiny, "c1", "First", at=T0)
    create(tiny, "c3", "Third", at=T1)  # same time as c2: the id decides
    assert run(tiny, "case/update", id="c2", name="Renamed", at=T2) == [{"id": "c2"}]
    assert run(tiny, "case/update", id="c9", name="x", at=T2) == []
    add(tiny, ITEMS[:2])
    rows = tiny.read("case/list", {})
    assert [(r["id"], r["name"], r["description"], r["updated_at"], r["item_count"])
            for r in rows] == [("c1", "First", "the payments", T1, 2),
                               ("c2", "Renamed", "the payments", T2, 0),
                               ("c3", "Third", "the payments", T1, 0)]
    assert rows[0] == tiny.read("case/get", {"id": "c1"})[0]
    assert [r["id"] for r in tiny.read("case/list", {"skip": 1, "limit": 1})] == ["c2"]
    run(tiny, "case/update", id="c2", description="new", at=T2)
    assert tiny.read("case/get", {"id": "c2"})[0]["name"] == "Renamed"
    assert tiny.read("case/get", {"id": "c2"})[0]["description"] == "new"


def test_record_export_and_exports(tiny: Graph) -> None:
    create(tiny)
    for at, fmt in ((T2, "csv"), (T1, "json")):
        assert run(tiny, "case/record_export", case_id="c1", format=fmt, sha256=fmt * 4,
                   size=10, by="carol", key_id="k3", at=at) == [{"case_id": "c1"}]
    assert run(tiny, "case/record_export", case_id="c2", format="json", sha256="x", size=1,
               by="carol", key_id="k3", at=T1) == []
    assert tiny.read("case/exports", {"case_id": "c1"}) == [
        {"format": "json", "sha256": "json" * 4, "size": 10, "by": "carol", "by_key": "k3",
         "at": T1},
        {"format": "csv", "sha256": "csv" * 4, "size": 10, "by": "carol", "by_key": "k3",
         "at": T2}]
    assert [r["format"] for r in tiny.read("case/exports", {"case_id": "c1", "skip": 1})] == [
        "csv"]


def test_delete_takes_items_and_exports_but_not_the_chain(tiny: Graph) -> None:
    create(tiny)
    create(tiny, "c2", "Other")
    add(tiny)
    run(tiny, "case/remove_items", case_id="c1", item_ids=["i1"], by="bob", key_id="k2",
        at=T2)
    run(tiny, "case/record_export", case_id="c1", format="json", sha256="x", size=1,
        by="carol", key_id="k3", at=T2)
    assert run(tiny, "case/delete", id="c1") == [{"id": "c1", "deleted_items": 5}]
    assert run(tiny, "case/delete", id="c1") == []
    assert count(tiny, "MATCH (n:Case|CaseItem|CaseExport) RETURN count(n)") == 1  # c2
    assert count(tiny, "MATCH (n:Address|Transaction) RETURN count(n)") == 2
