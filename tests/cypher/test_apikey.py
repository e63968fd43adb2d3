"""apikey/create, get, list, revoke and the apikey_id constraint, on an empty graph, with
exact answers; and the pure key functions of api.auth."""

from __future__ import annotations

import hashlib

import pytest

from api.auth import (
    add_key,
    create_key,
    get_key,
    key_hash,
    key_id,
    list_keys,
    matches,
    new_key,
    principal_of,
    revoke_key,
)
from api.context import Principal
from chaintrail.errors import DatabaseError, NotFound, ParameterError
from cypher.runner import Graph

pytestmark = pytest.mark.neo4j


def test_key_format_hash_and_match() -> None:
    key = new_key()
    kid = key_id(key)
    assert kid is not None and key == f"ct_{kid}_{key.split('_', 2)[2]}"
    assert len(kid) == 12 and len(key.split("_", 2)[2]) == 43
    assert key_hash(key) == hashlib.sha256(key.encode()).hexdigest()
    assert matches(key, key_hash(key)) and not matches(key + "x", key_hash(key))
    assert new_key() != key
    for bad in ("", "ct_", "ct_xyz_abc", f"xx_{kid}_{key[-43:]}", key + "=", key[:-1]):
        assert key_id(bad) is None, bad


def test_principal_of_a_stored_row() -> None:
    key = new_key()
    row = {"id": key_id(key), "name": "n", "role": "analyst", "hash": key_hash(key),
           "created_at": "2026-01-01T00:00:00Z", "revoked_at": None}
    assert principal_of(key, row) == Principal(key_id=str(key_id(key)), name="n",
                                               role="analyst")
    assert principal_of(new_key(), {**row}) is None  # another key, same row
    assert principal_of(key, {**row, "revoked_at": "2026-01-02T00:00:00Z"}) is None
    assert principal_of(key, None) is None


def test_create_get_list_revoke(empty_graph: Graph) -> None:
    g = empty_graph
    k1, id1 = create_key(g, role="analyst", name="alice")
    k2, id2 = create_key(g, role="admin", name="ops")
    assert key_id(k1) == id1 and key_id(k2) == id2
    row = get_key(g, id1)
    assert row is not None
    assert {k: row[k] for k in ("id", "name", "role", "hash", "revoked_at")} == {
        "id": id1, "name": "alice", "role": "analyst", "hash": key_hash(k1),
        "revoked_at": None}
    assert row["created_at"].startswith("20")
    assert get_key(g, "000000000000") is None
    listed = list_keys(g)
    assert [(r["id"], r["name"], r["role"], r["revoked_at"]) for r in listed] == [
        (id1, "alice", "analyst", None), (id2, "ops", "admin", None)]
    assert all(set(r) == {"id", "name", "role", "created_at", "revoked_at"} for r in listed)

    assert revoke_key(g, id1) is True
    first = get_key(g, id1)
    assert first is not None and first["revoked_at"] is not None
    assert revoke_key(g, id1) is False  # already revoked: its first time stays
    again = get_key(g, id1)
    assert again is not None and again["revoked_at"] == first["revoked_at"]
    assert get_key(g, id2) is not None and get_key(g, id2)["revoked_at"] is None  # type: ignore[index]
    with pytest.raises(NotFound):
        revoke_key(g, "000000000000")


def test_the_id_is_unique_and_roles_are_checked(empty_graph: Graph) -> None:
    key = new_key()
    add_key(empty_graph, key, role="reader", name="a")
    with pytest.raises(DatabaseError, match="apikey"):
        add_key(empty_graph, key, role="reader", name="b")
    with pytest.raises(ParameterError, match="role"):
        add_key(empty_graph, new_key(), role="root", name="c")
    with pytest.raises(ParameterError):
        add_key(empty_graph, "ct_not_a_key", role="reader", name="d")
    assert [r["name"] for r in list_keys(empty_graph)] == ["a"]
