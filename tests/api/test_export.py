"""GET /export/{json,csv,graphml} on the small hand-built chain of tests/api/test_app.py: each
format parses (json, csv, networkx), the exported graph is exactly the GraphQL `graph` of the
same trace, paths or case, a case's exports are recorded with the digest of the bytes, and
bad requests get 400/404/413/503 with the GraphQL error's type and message."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import networkx as nx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from analysis.clustering import ClusterConfig, Clusterer
from api.app import create_app
from api.auth import add_key, new_key
from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.api.conftest import gql
from tests.api.test_cases import ADD, CREATE, GRAPH, REOPEN
from tests.cypher.test_cluster import ADDR, T1
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import free_port, wipe, write_blocks, write_tags

pytestmark = pytest.mark.neo4j

TRACE_Q = f"""query($s: String!) {{ traceBackward(start: $s, maxHops: 3, maxRows: 100) {{
  __typename ... on TraceResultType {{ graph {{ {GRAPH} }} }} }} }}"""
PATHS_Q = f"""query($a: String!, $b: String!) {{ paths(source: $a, target: $b, k: 2) {{
  __typename ... on PathsResultType {{ graph {{ {GRAPH} }} }} }} }}"""
EXPORTS_Q = """query($c: ID!) { case(id: $c) { ... on Case { exports { ... on CaseExportConnection {
  edges { node { format sha256 size by byKey at } } } } } } }"""


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, small_chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    write_tags(graph, [{"id": "tx", "address": ADDR["A"],  # a tag: lists in properties
                        "label": "Exchange A", "category": "exchange", "source": "test",
                        "confidence": 50}])
    return graph


@pytest.fixture(scope="module")
def client(small: Graph, neo4j_settings: Settings,
           api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


def backward_x() -> dict[str, str]:
    return {"trace": "backward", "start": ADDR["X"], "max_hops": "3", "max_rows": "100"}


def exported(client: TestClient, fmt: str, params: dict[str, Any]) -> httpx.Response:
    r = client.get(f"/export/{fmt}", params=params)
    assert r.status_code == 200, r.text
    return r


def from_json(r: httpx.Response) -> dict[str, Any]:
    assert r.headers["content-type"] == "application/json"
    return dict(json.loads(r.content))


def from_csv(r: httpx.Response) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    assert r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert sorted(z.namelist()) == ["edges.csv", "meta.json", "nodes.csv"]
        edges = list(csv.DictReader(io.StringIO(z.read("edges.csv").decode())))
        nodes = list(csv.DictReader(io.StringIO(z.read("nodes.csv").decode())))
    return nodes, edges


def from_graphml(r: httpx.Response) -> nx.MultiDiGraph[str]:
    assert r.headers["content-type"] == "application/graphml+xml"
    g = nx.read_graphml(io.BytesIO(r.content), force_multigraph=True)
    assert isinstance(g, nx.MultiDiGraph)
    return g


def cell(v: Any) -> str:
    """A value as the CSV export writes it."""
    if v is None:
        return ""
    if isinstance(v, list | dict):
        return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(v)


def table(items: list[dict[str, Any]], first: tuple[str, ...]) -> list[dict[str, str]]:
    """Nodes or edges as the CSV export's rows: `first`, then every property (a column for
    each property any item has, empty where an item has none)."""
    columns = sorted({k for i in items for k in i["properties"]} - set(first))
    return [{**{k: cell(i[k]) for k in first},
             **{k: cell(i["properties"].get(k)) for k in columns}} for i in items]


def assert_all_formats_equal(client: TestClient, params: dict[str, Any],
                             want: dict[str, Any]) -> dict[str, Any]:
    """Every format of one export holds exactly `want` (a GraphQL graph); the JSON's meta."""
    assert want["edges"], "a test graph with no edge proves little"
    js = from_json(exported(client, "json", params))
    assert {"nodes": js["nodes"], "edges": js["edges"]} == want

    nodes, edges = from_csv(exported(client, "csv", params))
    assert [n["id"] for n in nodes] == [n["id"] for n in want["nodes"]]
    assert edges == table(want["edges"], ("id", "source", "target", "kind", "value", "time"))
    assert nodes == table(want["nodes"], ("id", "kind", "label"))

    g = from_graphml(exported(client, "graphml", params))
    assert sorted(g.nodes) == sorted(n["id"] for n in want["nodes"])
    assert {n: (d["kind"], d["label"]) for n, d in g.nodes(data=True)} == {
        n["id"]: (n["kind"], n["label"]) for n in want["nodes"]}
    assert sorted((u, v, k, d.get("value"), d.get("time"), d["txid"])
                  for u, v, k, d in g.edges(keys=True, data=True)) == sorted(
        (e["source"], e["target"], e["id"], e["value"], e["time"], e["properties"]["txid"])
        for e in want["edges"])
    assert json.loads(g.graph["meta"])["format"] == "graphml"
    return dict(js["meta"])


def test_a_trace_export_is_the_graphql_graph(client: TestClient) -> None:
    want = gql(client, TRACE_Q, s=ADDR["X"])["traceBackward"]["graph"]
    meta = assert_all_formats_equal(client, backward_x(), want)
    assert meta["request"] == {"kind": "backward", "start": ADDR["X"], "max_hops": 3,
                               "min_value": 0, "max_fanout": 100, "max_rows": 100,
                               "stop_at": []}
    assert meta["exported_by"] == "tests" and len(meta["digest"]) == 64
    r = exported(client, "graphml", backward_x())
    name = r.headers["content-disposition"]
    assert name.startswith(f'attachment; filename="chaintrail-backward-{ADDR["X"]}-')
    assert name.endswith('.graphml"')
    assert all(isinstance(e["value"], str) for e in from_json(
        exported(client, "json", backward_x()))["edges"])  # exact in every JSON reader


def test_a_paths_export_is_the_graphql_graph(client: TestClient) -> None:
    want = gql(client, PATHS_Q, a=ADDR["C"], b=ADDR["Y"])["paths"]["graph"]
    params = {"paths": "1", "source": ADDR["C"], "target": ADDR["Y"], "k": "2"}
    meta = assert_all_formats_equal(client, params, want)
    assert meta["request"]["kind"] == "paths"


def test_a_case_export_is_its_graph_and_is_recorded(client: TestClient) -> None:
    case = gql(client, CREATE, name="Export me")["createCase"]
    added = gql(client, ADD, c=case["id"], a=[ADDR["A"]], t=[T1], n="note",
                tr={"kind": "BACKWARD", "start": ADDR["X"], "maxHops": 3, "maxRows": 100}
                )["addToCase"]
    want = gql(client, REOPEN, c=case["id"])["case"]["graph"]
    del want["__typename"]
    meta = assert_all_formats_equal(client, {"case": case["id"]}, want)
    assert meta["case"]["name"] == "Export me"
    trace_item = next(i for i in meta["items"] if i["kind"] == "trace")
    assert trace_item["digest"] == added["items"][2]["digest"]
    assert trace_item["rerun"]["unchanged"] is True
    assert trace_item["request"]["start"] == ADDR["X"]

    r = exported(client, "json", {"case": case["id"]})
    records = gql(client, EXPORTS_Q, c=case["id"])["case"]["exports"]["edges"]
    assert [e["node"]["format"] for e in records] == ["json", "csv", "graphml", "json"]
    last = records[-1]["node"]
    assert (last["sha256"], last["size"], last["by"]) == (
        hashlib.sha256(r.content).hexdigest(), len(r.content), "tests")
    assert last["at"] == from_json(r)["meta"]["exported_at"]


@pytest.mark.parametrize(("params", "status", "error", "words"), [
    ({"trace": "forward", "start": "x", "max_hops": "abc"}, 400, "InvalidInput", "max_hops"),
    ({"trace": "forward", "start": "x", "colour": "red"}, 400, "InvalidInput", "colour"),
    ({"trace": "sideways", "start": "x"}, 400, "InvalidInput", "trace must be"),
    ({}, 400, "InvalidInput", "give one of"),
    ({"case": "c", "trace": "forward"}, 400, "InvalidInput", "give one of"),
    ({"trace": "forward"}, 400, "InvalidInput", "start is required"),
    ({"trace": "forward", "start": "x", "k": "2"}, 400, "InvalidInput", "k does not apply"),
    ({"paths": "1", "source": "1BoatSLRHtKNngkdXEeobR76b53LETtpyX", "target": "x"}, 400,
     "InvalidAddress", "checksum"),
    ({"paths": "yes", "source": "a", "target": "b"}, 400, "InvalidInput", "paths must be"),
    ({"trace": "forward", "start": "x", "max_hops": "99"}, 413, "LimitExceeded", "max_hops"),
    ({"trace": "forward", "start": "x", "max_rows": "0"}, 400, "InvalidInput", "max_rows"),
    ({"trace": "forward", "start": "x"}, 400, "InvalidAddress", "checksum"),
    ({"trace": "forward", "start": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"}, 404,
     "NotFoundError", "nothing to trace"),
    ({"case": "no-such-case"}, 404, "NotFoundError", "no-such-case"),
])
def test_bad_requests_are_typed_errors(client: TestClient, params: dict[str, str],
                                       status: int, error: str, words: str) -> None:
    r = client.get("/export/json", params=params)
    assert (r.status_code, r.json()["error"]) == (status, error), r.text
    assert words in r.json()["message"]


def test_same_messages_as_graphql(client: TestClient) -> None:
    q = 'query { traceForward(start: "x", maxHops: 99) { ... on LimitExceeded { message } } }'
    r = client.get("/export/csv", params={"trace": "forward", "start": "x", "max_hops": "99"})
    assert r.json()["message"] == gql(client, q)["traceForward"]["message"]
    r = client.get("/export/xlsx", params=backward_x())
    assert (r.status_code, r.json()["error"]) == (404, "NotFoundError")


def test_roles(client: TestClient, small: Graph) -> None:
    reader = new_key()
    add_key(small, reader, role="reader", name="rita")
    r = client.get("/export/json", params=backward_x(),
                   headers={"Authorization": f"Bearer {reader}"})
    assert r.status_code == 200 and from_json(r)["meta"]["exported_by"] == "rita"
    r = client.get("/export/json", params=backward_x(), headers={"Authorization": ""})
    assert r.status_code == 401


def test_neo4j_unreachable_is_503(neo4j_settings: Settings) -> None:
    down = neo4j_settings.model_copy(update={
        "neo4j_uri": f"bolt://127.0.0.1:{free_port()}", "neo4j_password": SecretStr("x"),
        "api_require_key": False})
    with TestClient(create_app(down)) as c:
        for params in (backward_x(), {"case": "c1"}):
            r = c.get("/export/graphml", params=params)
            assert (r.status_code, r.json()["error"]) == (503, "DatabaseUnavailable"), r.text
            assert r.json()["message"].startswith("database unavailable")
