"""schemathesis fuzzes every root field of the GraphQL schema, queries and mutations, through
the ASGI app, on the small hand-built chain with a tag: no input gives a 500, and no input
gives an execution error at all. Expected failures are union members (typed); the only errors
allowed are the client's own (parse, validation, cost limits: refused before anything runs),
so neither a masked "Unexpected error." nor an unmasked one passes.

The fuzzer calls as an analyst: it may write cases, and the admin-only mutations (loads,
whose arguments are paths on the server, and cluster rebuilds) answer it with the typed
PermissionDenied instead of starting a job on whatever path it drew.

Bounded and reproducible: a fixed number of examples per field, derandomized. String
arguments are drawn half the time from the graph's own ids (addresses, txids, block hashes,
cluster ids, a tag label), so resolvers get past "not found" into the real code paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.graphql import nodes

from analysis.clustering import ClusterConfig, Clusterer
from api.app import create_app
from api.auth import add_key, new_key
from api.schema.root import build_schema
from chaintrail.settings import Settings
from cypher.runner import Graph
from loaders.tags.load import TagLoader
from tests.cypher.test_cluster import ABCD, ADDR, B1, CB, CJ, T1, T2, G
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

EXAMPLES_PER_FIELD = 40
MASKED = "Unexpected error."

KNOWN = [*ADDR.values(), T1, T2, CB, CJ, f"{T1}:0", f"{CB}:1", G, B1, ABCD[0],
         f"cluster:{ABCD[0]}", "Exchange A", "exchange", ADDR["A"][:6], T1[:8],
         "forward", "backward", "poison", "haircut", "fifo", "received", "sent", "out", "in"]
"""Ids that exist in the small graph (and words some arguments take): the fuzzer's
dictionary for String arguments."""

CONFIG = SchemathesisConfig.from_dict({
    "dictionaries": {"graph": {"values": KNOWN}},
    "generation": {"dictionaries": {"string": {"dictionary": "graph", "probability": 0.5}}},
})

# Custom scalars, in case a field takes them as input: any integer or junk for Satoshi,
# any JSON value for JSON.
schemathesis.graphql.scalar("Satoshi", st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: nodes.String(str(n))),
    st.text(max_size=12).map(nodes.String)))
schemathesis.graphql.scalar("JSON", st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    st.text(max_size=20).map(nodes.String), st.booleans().map(nodes.Boolean), st.just(nodes.Null)))

schema = schemathesis.graphql.from_file(str(build_schema()), config=CONFIG)


@pytest.fixture(scope="module")
def client(graph: Graph, neo4j_settings: Settings,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    wipe(graph)
    write_blocks(graph, small_chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    tags: Path = tmp_path_factory.mktemp("tags") / "exchange.txt"
    tags.write_text(f"{ADDR['A']}\n")
    TagLoader(graph).load([tags], source="test", category="exchange")
    key = new_key()
    add_key(graph, key, role="analyst", name="fuzz")
    with TestClient(create_app(neo4j_settings), headers={"Authorization": f"Bearer {key}"}) as c:
        yield c


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_FIELD, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_500_or_an_execution_error(case: Any, client: TestClient) -> None:
    r = client.post("/graphql", json={"query": case.body})
    assert r.status_code < 500, (case.body, r.status_code, r.text)
    body = r.json()
    for error in body.get("errors") or []:
        assert error.get("message") != MASKED, (case.body, error)
        # a parse or validation error has no path: it was refused before any resolver ran
        assert "path" not in error, (case.body, error)
    if r.status_code == 200 and not body.get("errors"):
        assert body.get("data") is not None, (case.body, body)
