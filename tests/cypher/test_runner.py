"""cypher.runner: driver values become plain Python (to_plain, on values a real server sends);
a query over the transaction memory limit fails at once, as QueryMemoryLimit."""

from __future__ import annotations

import neo4j
import pytest

from chaintrail.errors import QueryMemoryLimit
from cypher.runner import Graph, to_plain

pytestmark = pytest.mark.neo4j


def test_plain_values_pass_through_and_nested_values_are_converted(empty_graph: Graph) -> None:
    big = 2**62 + 1  # exact: no float on the way
    with empty_graph.driver.session(database=empty_graph.database) as s:
        rec = s.run(
            "CREATE (n:Probe {v: $big})-[r:TO {w: 2}]->(m:Probe) "
            "RETURN $big AS big, 'x' AS s, 1.5 AS f, true AS b, null AS z, "
            "[1, [2, {k: [3, null]}]] AS nested, n AS node, r AS rel, "
            "[n] AS nodes, {d: date('2026-11-24')} AS when",
            big=big,
        ).single()
        s.run("MATCH (n:Probe) DETACH DELETE n").consume()
    assert rec is not None
    plain = {k: to_plain(v) for k, v in rec.items()}
    assert plain == {
        "big": big, "s": "x", "f": 1.5, "b": True, "z": None,
        "nested": [1, [2, {"k": [3, None]}]],
        "node": {"labels": ["Probe"], "v": big},
        "rel": {"type": "TO", "w": 2},
        "nodes": [{"labels": ["Probe"], "v": big}],
        "when": {"d": "2026-11-24"},
    }
    assert type(plain["big"]) is int and type(plain["b"]) is bool


def test_tuples_become_lists() -> None:
    assert to_plain((1, ("a", {"k": (2,)}))) == [1, ["a", {"k": [2]}]]


BIG = "UNWIND range(1, 200000000) AS x RETURN collect(x) AS xs"
"""A list of 200 million integers: far over the test server's transaction memory limit."""


def test_a_write_over_the_memory_limit_fails_once_not_retried(empty_graph: Graph) -> None:
    """The driver counts the memory limit as a transient error and would run the work again
    and again for about 30 s; it fails the same way every time."""
    calls: list[int] = []

    def work(tx: neo4j.ManagedTransaction) -> None:
        calls.append(1)
        tx.run(BIG).consume()

    with pytest.raises(QueryMemoryLimit, match="transaction limit"):
        empty_graph.write(work, "a huge list")
    assert calls == [1]


def test_the_api_reports_the_memory_limit_as_limit_exceeded() -> None:
    from api.schema.errors import LimitExceeded, as_problem

    assert isinstance(as_problem(QueryMemoryLimit("over the limit")), LimitExceeded)


def test_a_negative_limit_is_a_parameter_error(empty_graph: Graph) -> None:
    """Neo4j's ArgumentError (LIMIT -1, say) is the caller's mistake, named as such."""
    from chaintrail.errors import ParameterError

    with pytest.raises(ParameterError, match="cluster/members"):
        empty_graph.read("cluster/members", {"cluster_id": "x", "skip": 0, "limit": -1})
