"""An analyst's client: py2neo (end-of-life, not used by chaintrail itself) connects to our
database with the same credentials and runs a stored query with the same answer."""

from __future__ import annotations

import warnings

import pytest

from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.cypher.test_lookup import chain
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j


def test_py2neo_runs_a_stored_query(graph: Graph, neo4j_settings: Settings) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # py2neo's own deprecation warnings, not ours
        py2neo = pytest.importorskip("py2neo", reason="py2neo does not install here")
    wipe(graph)
    write_blocks(graph, chain())
    assert neo4j_settings.neo4j_password is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyst = py2neo.Graph(neo4j_settings.neo4j_uri,
                               auth=(neo4j_settings.neo4j_user,
                                     neo4j_settings.neo4j_password.get_secret_value()))
        q = graph.registry["lookup/block"]
        try:
            theirs = analyst.run(q.text, q.bind({"height": 1})).data()
        finally:
            analyst.service.connector.close()
    ours = graph.read("lookup/block", {"height": 1})
    assert len(theirs) == 1
    assert theirs[0]["hash"] == ours[0]["hash"]
    assert theirs[0]["fee_total"] == ours[0]["fee_total"] == 10_000_000
