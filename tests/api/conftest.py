"""What every API test shares: the headers that authenticate a test client, and `gql`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from chaintrail.settings import Settings
from cypher.runner import Graph


@pytest.fixture(scope="session")
def api_headers(graph: Graph, neo4j_settings: Settings) -> dict[str, str]:
    """Headers of an admin caller, for tests that are not about auth."""
    return {}


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """Run a query; the data, asserting HTTP 200 and no GraphQL errors."""
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return dict(body["data"])
