"""Neo4j stopped under a running API: `/readyz` says 503 and a GraphQL request gets a clear
"database unavailable" (never a 500, never a masked error); Neo4j started again on the same
ports: the same API process answers again, without a restart.

While Neo4j is down, what "database unavailable" looks like depends on the API key, as
api/gate.py documents: a key the process checked in the last 30 s is trusted from its cache,
so the request runs and each field answers the typed `DatabaseUnavailable`; a key it has not
seen cannot be checked, so the gate answers 503 "database unavailable" (not 401: the key may
well be good).

The test stops a Neo4j server, so it starts its own (own home, free ports, small memory)
instead of the session's shared one, and runs the API as a real `chaintrail serve` process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from analysis.clustering import ClusterConfig, Clusterer
from chaintrail.settings import Settings
from cypher.registry import Registry
from cypher.runner import Graph
from cypher.schema import apply_schema
from db.driver import open_driver
from db.instance import StartResult, StopResult, start, stop
from tests.api.conftest import serving
from tests.cypher.test_cluster import ABCD, ADDR, T1
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import free_port, run_cli, write_blocks

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

PASSWORD = "chaintrail-resilience"
RECOVERY_BOUND_S = 120.0
"""How long to wait for the API to answer again once Neo4j is back: a bound against a hang,
not a speed requirement (the driver reconnects on the next request)."""

QUERY = """query($a: String!) {
  address(address: $a) { __typename
    ... on Address { address received sent balance cluster { id size } tags { label } }
    ... on DatabaseUnavailable { message } }
  block(height: 1) { __typename ... on Block { hash } ... on DatabaseUnavailable { message } } }"""

TYPED = "__typename ... on DatabaseUnavailable { message }"
EVERY_FIELD = [
    f'address(address: "{ADDR["A"]}")', f'addresses(addresses: ["{ADDR["A"]}", "{ADDR["B"]}"])',
    "block(height: 1)", f'transaction(txid: "{T1}")', f'cluster(address: "{ADDR["A"]}")',
    f'explain(a: "{ADDR["A"]}", b: "{ADDR["D"]}")', "clusterStats", "largestClusters",
    'tags(category: "exchange")', f'search(text: "{ADDR["A"][:6]}")',
    f'traceForward(start: "{ADDR["A"]}")', f'traceBackward(start: "{ADDR["X"]}")',
    f'paths(source: "{ADDR["C"]}", target: "{ADDR["Y"]}")',
    f'clusterFlows(clusterId: "{ABCD[0]}")', f'taint(method: HAIRCUT, sources: ["{T1}:0"])',
    f'exposure(target: "{ADDR["X"]}")', 'case(id: "0123456789abcdef")', "cases",
]
"""Every root query that reads the graph, with arguments that pass their own checks."""
LAZY = f"... on Explanation {{ steps {{ {TYPED} }} }}"
"""explain's answer reads nothing until its steps are asked for."""
DOWN_QUERY = "{ " + " ".join(f"f{i}: {field} {{ {TYPED} {LAZY if 'explain' in field else ''} }}"
                             for i, field in enumerate(EVERY_FIELD)) + " }"


def unavailable(answer: dict[str, Any]) -> bool:
    """The answer is the typed DatabaseUnavailable, or holds it where it read the graph."""
    if answer["__typename"] == "DatabaseUnavailable":
        return bool(answer["message"].startswith("database unavailable"))
    nested = [v for v in answer.values() if isinstance(v, dict)]
    return bool(nested) and all(unavailable(v) for v in nested)


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A Neo4j server of this module's own, with the small clustering chain loaded."""
    settings = Settings(
        home=tmp_path_factory.mktemp("neo4j-resilience"),
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}", neo4j_http_port=free_port(),
        neo4j_password=SecretStr(PASSWORD), manage_db=True,
        neo4j_heap="512m", neo4j_pagecache="256m", neo4j_tx_memory="256m",
        transaction_timeout_s=60.0,
    )
    start(settings)
    try:
        driver = open_driver(settings)
        try:
            graph = Graph(driver, Registry.load(), database=settings.neo4j_database,
                          timeout_s=settings.transaction_timeout_s)
            apply_schema(graph)
            write_blocks(graph, small_chain())
            Clusterer(graph, ClusterConfig()).rebuild()
        finally:
            driver.close()
        yield settings
    finally:
        stop(settings)


@pytest.fixture(scope="module")
def env(own_neo4j: Settings) -> dict[str, str]:
    """The environment of a `chaintrail serve` against the module's own server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINTRAIL_")}
    env.update({
        "CHAINTRAIL_HOME": str(own_neo4j.home),
        "CHAINTRAIL_NEO4J_URI": own_neo4j.neo4j_uri,
        "CHAINTRAIL_NEO4J_HTTP_PORT": str(own_neo4j.neo4j_http_port),
        "CHAINTRAIL_NEO4J_PASSWORD": PASSWORD,
        "CHAINTRAIL_LOG_LEVEL": "INFO",
    })
    return env


def post(url: str, key: str | None, address: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(f"{url}/graphql", json={"query": QUERY, "variables": {"a": address}},
                      headers=headers, timeout=30)


def data(r: httpx.Response) -> dict[str, Any]:
    """The answer's data; HTTP 200 and no GraphQL errors (masked or not) asserted."""
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return dict(body["data"])


def assert_typed_unavailable(r: httpx.Response) -> None:
    down = data(r)
    for field in ("address", "block"):
        assert down[field]["__typename"] == "DatabaseUnavailable", down
        assert down[field]["message"].startswith("database unavailable"), down


def assert_gate_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "database unavailable", r.text


def test_neo4j_stopped_and_restarted_under_a_running_api(own_neo4j: Settings,
                                                         env: dict[str, str]) -> None:
    seen, unseen = (run_cli(env, "apikey", "create", "--role", "reader").stdout.strip()
                    for _ in range(2))
    with serving(env) as api:
        before = post(api.url, seen, ADDR["A"])
        up = data(before)
        assert up["address"]["__typename"] == "Address"
        assert up["address"]["cluster"] == {"id": ABCD[0], "size": 4}
        assert up["block"]["__typename"] == "Block"
        assert httpx.get(f"{api.url}/readyz").json() == {"status": "ready"}

        assert stop(own_neo4j) is StopResult.STOPPED
        ready = httpx.get(f"{api.url}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        # the key seen just before: typed errors while its check is cached (30 s), the
        # gate's 503 once that has run out (a slow stop); both say what is wrong
        r = post(api.url, seen, ADDR["A"])
        if r.status_code == 200:
            assert_typed_unavailable(r)
        else:
            assert_gate_unavailable(r)
        assert_gate_unavailable(post(api.url, unseen, ADDR["A"]))
        assert httpx.get(f"{api.url}/healthz").json() == {"status": "ok"}
        metrics = httpx.get(f"{api.url}/metrics").text
        assert 'chaintrail_neo4j_errors_total{kind="DatabaseUnavailable"}' in metrics
        assert 'status="500"' not in metrics

        assert start(own_neo4j) is StartResult.STARTED
        deadline = time.monotonic() + RECOVERY_BOUND_S
        while httpx.get(f"{api.url}/readyz", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "the API did not see Neo4j come back"
            time.sleep(0.5)
        assert data(post(api.url, seen, ADDR["A"])) == up
        assert data(post(api.url, unseen, ADDR["A"])) == up
        assert api.proc.poll() is None  # the same process all along


def test_without_a_key_check_every_field_answers_typed_unavailable(
        own_neo4j: Settings, env: dict[str, str]) -> None:
    """The path of a cached key on its own, without the race against the cache's 30 s: with
    keys off (every caller is the local admin, nothing to check), a request while Neo4j is
    down runs, and every root query that reads the graph answers the typed
    DatabaseUnavailable (none raises: that would be a masked error)."""
    open_env = {**env, "CHAINTRAIL_API_REQUIRE_KEY": "false"}
    with serving(open_env) as api:
        assert data(post(api.url, None, ADDR["A"]))["address"]["__typename"] == "Address"
        assert stop(own_neo4j) is StopResult.STOPPED
        try:
            r = httpx.post(f"{api.url}/graphql", json={"query": DOWN_QUERY}, timeout=60)
            answers = data(r)
            for i, field in enumerate(EVERY_FIELD):
                got = answers[f"f{i}"]
                for one in got if isinstance(got, list) else [got]:
                    assert unavailable(one), (field, one)
        finally:
            assert start(own_neo4j) is StartResult.STARTED
