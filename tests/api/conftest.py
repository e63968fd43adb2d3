"""What every API test shares: the headers that authenticate a test client, and `gql`."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from analysis.clustering import ClusterConfig, Clusterer
from api.auth import add_key, get_key, key_id, new_key
from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.cypher.test_cluster import ADDR
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import CLI, free_port, wipe, write_blocks, write_tags


@pytest.fixture(scope="session")
def api_headers(graph: Graph, neo4j_settings: Settings) -> dict[str, str]:
    """Headers of an admin caller, for tests that are not about auth: a key stored in the
    test database (and stored again before each test that uses it, see below)."""
    key = new_key()
    add_key(graph, key, role="admin", name="tests")
    return {"Authorization": f"Bearer {key}"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Once a test's fixtures are set up: the admin key of `api_headers` is in the database,
    even if a fixture wiped the graph after the key was first stored (`wipe` deletes every
    node, keys included)."""
    result = yield
    funcargs = getattr(item, "funcargs", {})
    if "api_headers" in funcargs and "graph" in funcargs:
        graph: Graph = funcargs["graph"]
        key = funcargs["api_headers"]["Authorization"].removeprefix("Bearer ")
        kid = key_id(key)
        if kid is not None and get_key(graph, kid) is None:
            add_key(graph, key, role="admin", name="tests")
    return result


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    """The clustering test's small hand-built chain, clustered, with one tag (Exchange A);
    a module may define its own `small` instead."""
    wipe(graph)
    write_blocks(graph, small_chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    write_tags(graph, [{"id": "t1", "address": ADDR["A"], "label": "Exchange A",
                        "category": "exchange", "source": "test", "confidence": 50}])
    return graph


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """Run a query; the data, asserting HTTP 200 and no GraphQL errors."""
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return dict(body["data"])


@dataclass(frozen=True, slots=True)
class Served:
    """A running `chaintrail serve` process: its base URL and the process."""

    url: str
    proc: subprocess.Popen[bytes]


@contextmanager
def serving(env: dict[str, str], *args: str,
            start_timeout_s: float = 60.0) -> Iterator[Served]:
    """A real `chaintrail serve [args]` (uvicorn) process on a free port, once it answers /healthz
    (not /readyz: a test may start it with Neo4j down); SIGTERM at the end. Its output goes
    to a file, not a pipe, so a chatty server never blocks on a full pipe; it is shown when
    the server does not come up."""
    port = free_port()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([str(CLI), "serve", "--port", str(port), *args], env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout_s
            while not _answers(f"{url}/healthz"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    raise AssertionError(f"chaintrail serve did not come up:\n"
                                         f"{out.read().decode(errors='replace')[-3000:]}")
                time.sleep(0.2)
            yield Served(url, proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
