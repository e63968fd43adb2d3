"""Auth, roles, audit log, CORS, body cap and the admin jobs, through the ASGI app (and one
real uvicorn process for a streamed body), on the clustering test's small chain."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from analysis.clustering import ClusterConfig, Clusterer
from api.app import create_app
from api.auth import create_key, key_id, new_key, revoke_key
from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.api.conftest import serving
from tests.cypher.test_cluster import ABCD, ADDR
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import free_port, wipe, write_blocks

pytestmark = pytest.mark.neo4j

BLOCK_Q = "{ block(height: 1) { __typename ... on Block { height } } }"
REBUILD_M = """mutation Rebuild { rebuildClusters { __typename
  ... on Job { id kind status exitCode startedBy } ... on PermissionDenied { message } } }"""
JOB_Q = """query Job($id: String!) { job(id: $id) { __typename
  ... on Job { id kind status startedAt finishedAt exitCode arguments output(tail: 5) }
  ... on NotFoundError { message } ... on PermissionDenied { message } } }"""


@pytest.fixture(scope="module")
def keys(graph: Graph) -> dict[str, str]:
    """The small chain, clustered, and a key of each role plus a revoked one."""
    wipe(graph)
    write_blocks(graph, small_chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    made = {role: create_key(graph, role=role, name=f"{role} of the tests")[0]
            for role in ("reader", "analyst", "admin")}
    made["revoked"] = create_key(graph, role="admin", name="gone")[0]
    revoke_key(graph, str(key_id(made["revoked"])))
    return made


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def settings(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    """The session's settings with an audit log of this test's own."""
    return neo4j_settings.model_copy(update={"audit_log": tmp_path / "audit.jsonl"})


@pytest.fixture
def client(settings: Settings, keys: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def post(client: TestClient, query: str, headers: dict[str, str] | None = None,
         **variables: Any) -> httpx.Response:
    return client.post("/graphql", json={"query": query, "variables": variables},
                       headers=headers or {})


def audit_lines(settings: Settings) -> list[dict[str, Any]]:
    return [json.loads(x) for x in settings.audit_path.read_text().splitlines()]


def test_no_key_and_wrong_keys_are_401(client: TestClient, keys: dict[str, str]) -> None:
    for headers, presented in [({}, False),
                               (bearer(new_key()), True),  # well formed, never stored
                               (bearer("hunter2"), True),  # malformed
                               (bearer(keys["reader"] + "x"), True),  # a good id, wrong key
                               ({"X-API-Key": keys["revoked"]}, True),
                               ({"Authorization": f"Basic {keys['admin']}"}, False)]:
        r = post(client, BLOCK_Q, headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["error"] == "unauthorized"
        challenge = r.headers["www-authenticate"]
        assert challenge.startswith("Bearer ")
        assert ('error="invalid_token"' in challenge) is presented
    r = client.get("/graphql", params={"query": BLOCK_Q})  # a query by GET needs a key too
    assert r.status_code == 401
    assert client.get("/export/json", params={"case": "nope"}).status_code == 401
    with_key = client.get("/export/json", params={"case": "nope"}, headers=bearer(keys["reader"]))
    assert with_key.status_code == 404 and with_key.json()["error"] == "NotFoundError"


def test_bearer_and_x_api_key_both_work(client: TestClient, keys: dict[str, str]) -> None:
    for headers in (bearer(keys["reader"]), {"X-API-Key": keys["reader"]},
                    {"authorization": f"bearer {keys['reader']}"}):
        r = post(client, BLOCK_Q, headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"data": {"block": {"__typename": "Block", "height": 1}}}
        assert len(r.headers["x-request-id"]) == 32


def test_a_mount_prefix_does_not_open_the_api(settings: Settings,
                                              keys: dict[str, str]) -> None:
    """Behind a proxy (`uvicorn --root-path /x`) the path arrives as /x/graphql; the router
    strips the prefix, and so must the gate, or the request would pass unchecked as the
    local admin."""
    with TestClient(create_app(settings), root_path="/x") as c:
        assert c.post("/x/graphql", json={"query": BLOCK_Q, "variables": {"h": 1}}
                      ).status_code == 401
        assert c.get("/x/export/json", params={"case": "nope"}).status_code == 401
        r = c.post("/x/graphql", json={"query": BLOCK_Q, "variables": {"h": 1}},
                   headers=bearer(keys["reader"]))
        assert r.json() == {"data": {"block": {"__typename": "Block", "height": 1}}}
    assert [(x["path"], x["status"]) for x in audit_lines(settings)] == [
        ("/graphql", 401), ("/export/json", 401), ("/graphql", 200)]


def test_open_routes_need_no_key(client: TestClient) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_roles(client: TestClient, keys: dict[str, str]) -> None:
    r = post(client, REBUILD_M, bearer(keys["reader"])).json()
    assert r == {"data": {"rebuildClusters": {
        "__typename": "PermissionDenied",
        "message": "this needs the admin role; the key has reader"}}}
    jobs = post(client, "{ jobs { __typename ... on PermissionDenied { message } } }",
                bearer(keys["analyst"])).json()
    assert jobs["data"]["jobs"]["__typename"] == "PermissionDenied"
    assert post(client, BLOCK_Q, bearer(keys["analyst"])).status_code == 200


def test_admin_rebuilds_the_clusters_as_a_job(client: TestClient, keys: dict[str, str],
                                              graph: Graph) -> None:
    admin = bearer(keys["admin"])
    r = post(client, REBUILD_M, admin).json()["data"]["rebuildClusters"]
    assert (r["__typename"], r["kind"], r["startedBy"]) == (
        "Job", "rebuild-clusters", key_id(keys["admin"]))
    job = r
    for _ in range(1500):  # a bound against a hang, not a speed requirement
        job = post(client, JOB_Q, admin, id=r["id"]).json()["data"]["job"]
        if job["status"] != "running":
            break
        time.sleep(0.2)
    assert job["status"] == "succeeded" and job["exitCode"] == 0, job
    assert job["arguments"] == ["cluster", "--rebuild"] and job["finishedAt"] >= job["startedAt"]
    summary = json.loads(job["output"].splitlines()[-1])  # the command's JSON summary
    assert summary["config"]["coinjoin_filter"] is True
    assert graph.read("cluster/of_address", {"address": ADDR["A"]})[0]["cluster_id"] == ABCD[0]
    listed = post(client, "{ jobs { ... on JobConnection { edges { node { id status } } } } }",
                  admin).json()["data"]["jobs"]["edges"]
    assert listed == [{"node": {"id": r["id"], "status": "succeeded"}}]
    missing = post(client, JOB_Q, admin, id="nope").json()["data"]["job"]
    assert missing["__typename"] == "NotFoundError"


def test_load_paths_are_checked(client: TestClient, keys: dict[str, str],
                                tmp_path: Path) -> None:
    q = """mutation($p: [String!]!) { loadBitcoin(paths: $p) { __typename
             ... on InvalidInput { message } ... on PermissionDenied { message } } }"""
    admin = bearer(keys["admin"])
    for paths, says in [([str(tmp_path / "nope.dat")], "no such file"),
                        (["relative/blk00000.dat"], "not an absolute path"),
                        ([], "at least one path")]:
        got = post(client, q, admin, p=paths).json()["data"]["loadBitcoin"]
        assert got["__typename"] == "InvalidInput" and says in got["message"], got
    denied = post(client, q, bearer(keys["analyst"]), p=[str(tmp_path)]).json()
    assert denied["data"]["loadBitcoin"]["__typename"] == "PermissionDenied"
    tags = post(client, """mutation($p: [String!]!) { loadTags(paths: $p) { __typename
                  ... on InvalidInput { message } } }""", admin, p=["x.yaml"]).json()
    assert tags["data"]["loadTags"]["__typename"] == "InvalidInput"


def test_load_paths_stay_below_the_load_root(settings: Settings, keys: dict[str, str],
                                            tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "blocks").mkdir(parents=True)
    (tmp_path / "secret.dat").write_bytes(b"x")
    q = """mutation($p: [String!]!) { loadBitcoin(paths: $p) { __typename
             ... on InvalidInput { message } } }"""
    with TestClient(create_app(settings.model_copy(update={"api_load_root": root}))) as c:
        for outside in (tmp_path / "secret.dat", root / ".." / "secret.dat"):
            got = post(c, q, bearer(keys["admin"]), p=[str(outside)]).json()
            assert got["data"]["loadBitcoin"]["__typename"] == "InvalidInput"
            assert "outside the API's load folder" in got["data"]["loadBitcoin"]["message"]


def test_audit_log_has_one_line_per_request(client: TestClient, settings: Settings,
                                            keys: dict[str, str]) -> None:
    wrong = new_key()
    sent = [({}, 401), (bearer(wrong), 401), (bearer(keys["revoked"]), 401),
            ({"X-API-Key": keys["reader"]}, 200)]
    ids = []
    for headers, status in sent:
        r = client.post("/graphql", headers=headers, json={
            "query": "query Lookup($h: Int!) { block(height: $h) { __typename } }",
            "variables": {"h": 1}})
        assert r.status_code == status
        ids.append(r.headers["x-request-id"])
    assert len(set(ids)) == 4 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len({i[:16] for i in ids}) == 1  # one process: one prefix, then a counter
    client.get("/healthz")  # probes are not audited
    client.get("/graphql", headers={"Accept": "text/html"})
    lines = audit_lines(settings)
    assert [(x["request_id"], x["status"], x["key_id"], x["claimed_key_id"], x["role"])
            for x in lines[:4]] == [
        (ids[0], 401, None, None, None),
        (ids[1], 401, None, key_id(wrong), None),
        (ids[2], 401, None, key_id(keys["revoked"]), None),
        (ids[3], 200, key_id(keys["reader"]), key_id(keys["reader"]), "reader")]
    assert len(lines) == 5 and (lines[4]["method"], lines[4]["path"], lines[4]["status"]) == (
        "GET", "/graphql", 200)
    ok = lines[3]
    assert ok["key_name"] == "reader of the tests" and ok["client"] == "testclient"
    assert (ok["method"], ok["path"], ok["operation"], ok["variables"]) == (
        "POST", "/graphql", "Lookup", {"h": 1})
    assert ok["query"].startswith("query Lookup") and ok["duration_ms"] >= 0
    assert ok["time"].endswith("Z") and ok["time"][:2] == "20"
    assert settings.audit_path.stat().st_mode & 0o777 == 0o600


def test_a_long_query_is_cut_in_the_audit_log(client: TestClient, settings: Settings,
                                              keys: dict[str, str]) -> None:
    query = "{ block(height: 1) { __typename } }" + " " * 10_000
    assert post(client, query, bearer(keys["reader"]), x="y" * 10_000).status_code == 200
    [line] = audit_lines(settings)
    assert line["truncated"] is True and len(line["query"]) == 4000
    assert isinstance(line["variables"], str) and len(line["variables"]) == 4000


def test_a_revoke_bites_once_the_key_cache_expires(settings: Settings,
                                                   graph: Graph, keys: dict[str, str]) -> None:
    key, kid = create_key(graph, role="reader", name="short-lived")
    with TestClient(create_app(settings)) as cached, \
            TestClient(create_app(settings, key_ttl_s=0)) as uncached:
        assert post(cached, BLOCK_Q, bearer(key)).status_code == 200
        assert post(uncached, BLOCK_Q, bearer(key)).status_code == 200
        revoke_key(graph, kid)
        assert post(cached, BLOCK_Q, bearer(key)).status_code == 200  # within its 30 s
        assert post(uncached, BLOCK_Q, bearer(key)).status_code == 401


def test_cors_preflight(neo4j_settings: Settings, keys: dict[str, str]) -> None:
    allowed = "https://ui.example"
    s = neo4j_settings.model_copy(update={"cors_origins": [allowed]})
    with TestClient(create_app(s)) as c:
        def preflight(origin: str) -> httpx.Response:
            return c.options("/graphql", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type"})
        ok = preflight(allowed)
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == allowed
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        other = preflight("https://evil.example")
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers
        r = c.post("/graphql", json={"query": BLOCK_Q},
                   headers={"Origin": allowed, **bearer(keys["reader"])})
        assert r.headers["access-control-allow-origin"] == allowed
        assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
    with TestClient(create_app(neo4j_settings)) as c:  # no origins by default
        r = c.options("/graphql", headers={"Origin": allowed,
                                           "Access-Control-Request-Method": "POST"})
        assert r.status_code == 401  # no CORS layer answers it: the gate asks for a key
        assert not any(h.startswith("access-control-") for h in r.headers)


def test_a_large_body_is_413_before_anything_parses_it(client: TestClient, settings: Settings,
                                                        keys: dict[str, str]) -> None:
    big = b"{" + b" " * 2_000_000 + b"}"
    for headers in ({}, bearer(keys["admin"])):
        r = client.post("/graphql", content=big,
                        headers={"Content-Type": "application/json", **headers})
        assert r.status_code == 413 and r.json()["error"] == "request body too large"

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 100_000

    r = client.post("/graphql", content=chunks(), headers={
        "Content-Type": "application/json", **bearer(keys["admin"])})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert [x["status"] for x in audit_lines(settings)] == [413, 413, 413]


def test_a_streamed_body_through_uvicorn(cli_env: dict[str, str], keys: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ block(height: 1) { __typename } }"'
        for _ in range(20):
            yield b" " * 100_000
        yield b"}"

    with serving(cli_env) as api:
        ok = httpx.post(f"{api.url}/graphql", headers=bearer(keys["reader"]),
                        json={"query": BLOCK_Q}, timeout=30)
        assert ok.json() == {"data": {"block": {"__typename": "Block", "height": 1}}}
        big = httpx.post(f"{api.url}/graphql", content=chunks(), timeout=30, headers={
            "Content-Type": "application/json", **bearer(keys["reader"])})
        assert "content-length" not in big.request.headers
        assert big.status_code == 413


def test_neo4j_down_while_checking_a_key_is_503(neo4j_settings: Settings,
                                                keys: dict[str, str]) -> None:
    down = neo4j_settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}",
                                             "neo4j_password": SecretStr("x")})
    with TestClient(create_app(down)) as c:
        r = post(c, BLOCK_Q, bearer(keys["reader"]))
        assert r.status_code == 503 and r.json()["error"] == "database unavailable"
        assert "database unavailable" in r.json()["message"]
        assert "bolt://" not in r.json()["message"]  # the database's address stays in the log
        assert post(c, BLOCK_Q).status_code == 401  # no key: no database needed to refuse


def test_without_required_keys_everyone_is_the_local_admin(settings: Settings,
                                                           keys: dict[str, str]) -> None:
    s = settings.model_copy(update={"api_require_key": False})
    with TestClient(create_app(s)) as c:
        r = post(c, "{ jobs { __typename } }")
        assert r.json() == {"data": {"jobs": {"__typename": "JobConnection"}}}
    [line] = audit_lines(s)
    assert (line["key_id"], line["role"], line["status"]) == ("local", "admin", 200)
