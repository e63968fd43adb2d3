"""`chaintrail apikey create | list | revoke`, as a user runs them, against the test instance."""

from __future__ import annotations

import json

import pytest

from api.auth import get_key, key_hash, key_id
from cypher.runner import Graph
from tests.helpers import run_cli

pytestmark = pytest.mark.neo4j


def test_create_prints_the_key_alone_list_hides_it_revoke_revokes(
        empty_graph: Graph, cli_env: dict[str, str]) -> None:
    made = run_cli(cli_env, "apikey", "create", "--role", "analyst", "--name", "alice")
    lines = made.stdout.splitlines()
    assert len(lines) == 1, made.stdout  # the key, alone: scripts read it
    key = lines[0]
    kid = key_id(key)
    assert kid is not None and kid in made.stderr and key not in made.stderr
    row = get_key(empty_graph, kid)
    assert row is not None and (row["name"], row["role"], row["hash"]) == (
        "alice", "analyst", key_hash(key))

    listed = run_cli(cli_env, "apikey", "list", "--format", "json")
    rows = [json.loads(x) for x in listed.stdout.splitlines()]
    assert [(r["id"], r["name"], r["role"], r["revoked_at"]) for r in rows] == [
        (kid, "alice", "analyst", None)]
    table = run_cli(cli_env, "apikey", "list")
    assert kid in table.stdout and "alice" in table.stdout
    for out in (listed.stdout, table.stdout):
        assert key.split("_", 2)[2] not in out and key_hash(key) not in out

    run_cli(cli_env, "apikey", "revoke", kid)
    revoked = get_key(empty_graph, kid)
    assert revoked is not None and revoked["revoked_at"] is not None
    again = run_cli(cli_env, "apikey", "revoke", kid)
    assert "already revoked" in again.stderr


def test_refusals(empty_graph: Graph, cli_env: dict[str, str]) -> None:
    bad_role = run_cli(cli_env, "apikey", "create", "--role", "root", check=False)
    assert bad_role.returncode == 1 and "unknown role" in bad_role.stderr
    assert bad_role.stdout == ""
    missing = run_cli(cli_env, "apikey", "revoke", "000000000000", check=False)
    assert missing.returncode == 1 and "no API key" in missing.stderr
    assert run_cli(cli_env, "apikey", "create", check=False).returncode == 2  # --role needed
    assert run_cli(cli_env, "apikey", "list", "--format", "json").stdout == ""
