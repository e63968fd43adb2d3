"""The API through the ASGI app (FastAPI's TestClient runs the lifespan) and through a real
uvicorn process, on the clustering test's small hand-built chain with a tag; answers equal the
stored queries'."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import create_app
from api.context import Context, GraphQLEndpoint
from api.schema.errors import UNAVAILABLE
from chaintrail.runtime import GC_THRESHOLD
from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.api.conftest import gql, serving
from tests.cypher.test_cluster import ABCD, ADDR, CB, T1
from tests.helpers import free_port

pytestmark = pytest.mark.neo4j

ADDRESS_Q = """query($a: String!) { address(address: $a) {
  __typename
  ... on Address { address received sent balance balanceBtc outputCount
                   cluster { id size } tags { label category confidence } }
  ... on NotFoundError { message } ... on InvalidAddress { message } } }"""


@pytest.fixture(scope="module")
def client(small: Graph, neo4j_settings: Settings,
           api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


def test_health_ready_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    text = client.get("/metrics").text
    assert 'chaintrail_http_requests_total{path="/readyz",status="200"} 1.0' in text


def test_startup_freezes_the_heap_built_so_far(small: Graph, neo4j_settings: Settings) -> None:
    """The lifespan takes what startup built out of the collector's reach (its full
    collections stalled every request under load: api.app.freeze_startup_heap)."""
    gc.unfreeze()
    app = create_app(neo4j_settings)
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()  # raised already while another test's app is open
    gc.set_threshold(700, 10, 10)
    try:
        with TestClient(app):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == GC_THRESHOLD  # chaintrail.runtime
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def test_requests_share_the_apps_coalescer(small: Graph, neo4j_settings: Settings) -> None:
    """Concurrent requests' lookups can go together only if their DataLoaders share the
    app's one coalescer (api.schema.dataloaders.Coalescer), sized by the settings."""
    settings = neo4j_settings.model_copy(update={"api_lookups_in_flight": 3})
    app = create_app(settings)
    endpoint = next(r.endpoint for r in app.routes
                    if isinstance(r, Route) and r.path == "/graphql")
    assert isinstance(endpoint, GraphQLEndpoint)

    async def two_contexts() -> list[Context]:
        return [await endpoint.get_context(Request({"type": "http", "state": {}}), Response())
                for _ in range(2)]

    with TestClient(app) as c:
        one, two = c.portal.call(two_contexts)
    assert one.loaders is not two.loaders
    assert one.loaders.coalescer is two.loaders.coalescer
    assert one.loaders.coalescer.in_flight == 3


def test_block_and_transaction_equal_the_stored_queries(client: TestClient,
                                                        small: Graph) -> None:
    data = gql(client, "{ block(height: 1) { __typename ... on Block { hash height txCount "
                       "outputValue feeTotal status } } }")
    want = small.read("lookup/block", {"height": 1})[0]
    assert data["block"] == {"__typename": "Block", "hash": want["hash"], "height": 1,
                             "txCount": want["tx_count"],
                             "outputValue": str(want["output_value"]),
                             "feeTotal": None if want["fee_total"] is None
                             else str(want["fee_total"]), "status": "main"}
    tx = gql(client, "query($t: String!) { transaction(txid: $t) { ... on Transaction { txid "
                     "fee inputs { prevTxid vout address value } outputs { n value valueBtc "
                     "spentByTxid } } } }", t=T1)["transaction"]
    want_tx = small.read("lookup/transaction", {"txid": T1})[0]
    assert tx["fee"] == str(want_tx["fee"])
    assert [(i["prevTxid"], i["vout"], i["address"], i["value"]) for i in tx["inputs"]] == [
        (CB, 0, ADDR["A"], "1000000000"), (CB, 1, ADDR["B"], "1000000000")]
    assert tx["outputs"] == [{"n": 0, "value": "1900000000", "valueBtc": "19.00000000",
                              "spentByTxid": None}]


def test_address_with_cluster_and_tags(client: TestClient, small: Graph) -> None:
    a = gql(client, ADDRESS_Q, a=ADDR["A"])["address"]
    want = small.read("lookup/address", {"address": ADDR["A"]})[0]
    assert (a["received"], a["sent"], a["balance"], a["outputCount"]) == (
        str(want["received"]), str(want["sent"]), str(want["balance"]), want["output_count"])
    assert a["cluster"] == {"id": ABCD[0], "size": 4}
    assert a["tags"] == [{"label": "Exchange A", "category": "exchange", "confidence": 50}]
    assert gql(client, ADDRESS_Q, a="1BoatSLRHtKNngkdXEeobR76b53LETtpyT")["address"][
        "__typename"] == "NotFoundError"
    bad = gql(client, ADDRESS_Q, a="1BoatSLRHtKNngkdXEeobR76b53LETtpyX")["address"]
    assert bad["__typename"] == "InvalidAddress" and "checksum" in bad["message"]
    assert gql(client, '{ block(hash: "zz") { __typename } }')["block"]["__typename"] == (
        "InvalidInput")


def test_many_addresses_cost_a_constant_number_of_round_trips(
        client: TestClient, small: Graph) -> None:
    names = sorted(ADDR.values())
    q = """query($as: [String!]!) { addresses(addresses: $as) { __typename
             ... on Address { address cluster { id } tags { label } } } }"""
    before = _round_trips(client)
    one = gql(client, q, **{"as": names[:2]})
    mid = _round_trips(client)
    many = gql(client, q, **{"as": names})
    after = _round_trips(client)
    assert len(one["addresses"]) == 2 and len(many["addresses"]) == len(names)
    assert mid - before == after - mid == 1  # batch/addresses, with clusters and tags
    too_many = gql(client, q, **{"as": names * 10})["addresses"]
    assert [r["__typename"] for r in too_many] == ["LimitExceeded"]


def _round_trips(client: TestClient) -> int:
    text = client.get("/metrics").text
    line = next((x for x in text.splitlines()
                 if x.startswith("chaintrail_neo4j_queries_total ")), None)
    return int(float(line.split()[1])) if line else 0


def test_unexpected_errors_are_masked(client: TestClient) -> None:
    r = client.post("/graphql", json={"query": "{ nothing }"})
    assert r.status_code == 200 and "errors" in r.json()  # a validation error, shown
    r = client.post("/graphql", content=b"not json", headers={"content-type":
                                                               "application/json"})
    assert r.status_code < 500


def test_graphql_answers_other_methods_405(client: TestClient) -> None:
    """The gate hands /graphql straight to strawberry (past FastAPI's router), which still
    refuses what is not GET or POST."""
    for method in ("PUT", "DELETE", "PATCH"):
        r = client.request(method, "/graphql", json={"query": "{ __typename }"})
        assert r.status_code == 405, (method, r.status_code, r.text)
    assert client.post("/graphql", json={"query": "{ __typename }"}).json() == {
        "data": {"__typename": "Query"}}


def test_neo4j_unreachable_is_a_typed_error_and_readyz_503(
        neo4j_settings: Settings) -> None:
    # Without keys: with them, the key check itself answers 503 (tests/api/test_auth.py).
    down = neo4j_settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}",
                                             "neo4j_password": SecretStr("x"),
                                             "api_require_key": False})
    line = 'chaintrail_neo4j_errors_total{kind="DatabaseUnavailable"} '

    def errors(c: TestClient) -> float:
        return sum(float(x.removeprefix(line)) for x in c.get("/metrics").text.splitlines()
                   if x.startswith(line))

    with TestClient(create_app(down)) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json() == {"status": "unavailable",
                                                     "reason": UNAVAILABLE}
        assert "127.0.0.1" not in r.text  # the database's address is for the server log
        before = errors(c)
        block = gql(c, "{ block(height: 1) { __typename ... on DatabaseUnavailable { message "
                       "} } }")["block"]
        assert block["__typename"] == "DatabaseUnavailable"
        assert errors(c) == before + 1  # /metrics counts a resolver's Neo4j error too
        assert c.get("/healthz").status_code == 200


def test_a_real_uvicorn_process(small: Graph, cli_env: dict[str, str],
                                api_headers: dict[str, str]) -> None:
    with serving(cli_env) as served:
        r = httpx.post(f"{served.url}/graphql", json={"query": ADDRESS_Q,
                                                      "variables": {"a": ADDR["B"]}},
                       headers=api_headers, timeout=10)
        data = r.json()["data"]["address"]
        assert data["cluster"]["id"] == ABCD[0] and data["received"] == str(
            small.read("lookup/address", {"address": ADDR["B"]})[0]["received"])
    assert served.proc.returncode in (0, -15)


@pytest.mark.parametrize("own_dir", [False, True], ids=["home", "PROMETHEUS_MULTIPROC_DIR"])
def test_metrics_count_the_requests_of_every_server_process(
        small: Graph, cli_env: dict[str, str], tmp_path: Path, own_dir: bool) -> None:
    """`serve --workers 2`: whichever process answers /metrics, it counts all requests (its
    own alone would be a share: the kernel spreads new connections over both). The files go
    to the user's PROMETHEUS_MULTIPROC_DIR when set, else under CHAINTRAIL_HOME."""
    line = 'chaintrail_http_requests_total{path="/healthz",status="200"} '
    env = {**cli_env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "m")} if own_dir else cli_env
    metrics_dir = tmp_path / "m" if own_dir else Path(cli_env["CHAINTRAIL_HOME"]) / "metrics"
    with serving(env, "--workers", "2") as served:
        time.sleep(1.0)  # the second worker up too
        for _ in range(40):  # a new connection each
            assert httpx.get(f"{served.url}/healthz", timeout=5).status_code == 200
        counts = set()
        for _ in range(10):
            text = httpx.get(f"{served.url}/metrics", timeout=5).text
            counts |= {float(x.removeprefix(line)) for x in text.splitlines()
                       if x.startswith(line)}
    # /healthz answered once more while serving() waited for the server to come up
    assert counts == {41.0}
    assert list(metrics_dir.glob("*.db"))
    assert served.proc.returncode in (0, -15)


TRACE_Q = """query($s: String!) { traceForward(start: $s, maxHops: 3) { __typename
  ... on TraceResultType { rows { hop txid toAddress value } truncated
        graph { nodes { id kind } edges { source target value } } }
  ... on NotFoundError { message } ... on InvalidInput { message }
  ... on InvalidAddress { message } } }"""


def test_trace_and_paths_through_graphql_equal_the_cli_logic(client: TestClient,
                                                              small: Graph) -> None:
    from analysis.trace import TraceLimits, paths, trace

    got = gql(client, TRACE_Q, s=ADDR["A"])["traceForward"]
    want = trace(small, ADDR["A"], "forward", TraceLimits(max_hops=3))
    assert [(r["hop"], r["txid"], r["toAddress"], r["value"]) for r in got["rows"]] == [
        (r["hop"], r["txid"], r["to_address"], str(r["value"])) for r in want.rows]
    ids = {n["id"] for n in got["graph"]["nodes"]}
    assert ADDR["A"] in ids and all(e["source"] in ids and e["target"] in ids
                                    for e in got["graph"]["edges"])
    assert gql(client, TRACE_Q, s="1BoatSLRHtKNngkdXEeobR76b53LETtpyT")["traceForward"][
        "__typename"] == "NotFoundError"
    # a mistyped address, or an Ethereum account on Bitcoin: InvalidAddress, as the CLI says
    for bad in ("1BoatSLRHtKNngkdXEeobR76b53LETtpyX",
                "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"):
        got = gql(client, """query($s: String!) { traceForward(start: $s, chain: BITCOIN) {
                  __typename } }""", s=bad)["traceForward"]
        assert got["__typename"] == "InvalidAddress", bad
    bad_paths = gql(client, """{ paths(source: "foo", target: "bar") { __typename } }""")
    assert bad_paths["paths"]["__typename"] == "InvalidAddress"
    over = gql(client, 'query { traceForward(start: "x", maxHops: 99) { __typename } }')
    assert over["traceForward"]["__typename"] == "LimitExceeded"
    p = gql(client, """query($a: String!, $b: String!) { paths(source: $a, target: $b) {
              ... on PathsResultType { paths { rank hops txids outputs bottleneckValue } notes
                                       graph { edges { source target value } } } } }""",
            a=ADDR["C"], b=ADDR["Y"])["paths"]
    direct = paths(small, ADDR["C"], ADDR["Y"])
    assert [(x["rank"], x["hops"], x["txids"], x["bottleneckValue"]) for x in p["paths"]] == [
        (x["rank"], x["hops"], x["txids"], str(x["bottleneck_value"])) for x in direct["paths"]]
    assert p["notes"] == direct["notes"] and p["graph"]["edges"]
    # each edge carries the value of the output its hop created, as trace edges do
    value = {f"{tx}:{o['n']}": str(o["value"])
             for tx in {t for x in p["paths"] for t in x["txids"]}
             for o in small.read("lookup/transaction", {"txid": tx})[0]["outputs"]}
    assert [e["value"] for e in p["graph"]["edges"]] == [
        value[o] for x in p["paths"] for o in x["outputs"][1:]]
    # minValue is satoshi of any size (not a 32-bit Int): above 21.47 BTC here
    big = gql(client, """query($s: String!) { traceForward(start: $s, minValue: 3000000000) {
              __typename ... on TraceResultType { rows { value } } } }""",
              s=ADDR["A"])["traceForward"]
    assert big["__typename"] == "TraceResultType"
    assert all(int(r["value"]) >= 3_000_000_000 for r in big["rows"])


CLUSTER_Q = """query($a: String!, $after: String) { cluster(address: $a) { __typename
  ... on Cluster { id size received members(first: 2, after: $after) { __typename
      ... on MemberConnection { edges { cursor node { address received } }
                                pageInfo { hasNextPage endCursor } } } } } }"""


def test_cluster_members_page_by_cursor_and_explain(client: TestClient, small: Graph) -> None:
    first = gql(client, CLUSTER_Q, a=ADDR["D"], after=None)["cluster"]
    want = small.read("cluster/of_address", {"address": ADDR["D"]})[0]
    assert (first["id"], first["size"], first["received"]) == (
        want["cluster_id"], 4, str(want["received"]))
    page1 = first["members"]
    assert [e["node"]["address"] for e in page1["edges"]] == ABCD[:2]
    assert page1["pageInfo"]["hasNextPage"] is True
    page2 = gql(client, CLUSTER_Q, a=ADDR["D"],
                after=page1["pageInfo"]["endCursor"])["cluster"]["members"]
    assert [e["node"]["address"] for e in page2["edges"]] == ABCD[2:]
    assert page2["pageInfo"]["hasNextPage"] is False
    big = gql(client, "query($a: String!) { cluster(address: $a) { ... on Cluster { "
                      "members(first: 500) { __typename } } } }", a=ADDR["A"])["cluster"]["members"]
    assert big["__typename"] == "LimitExceeded"
    steps = [e["node"] for e in gql(client, """query($a: String!, $b: String!) {
        explain(a: $a, b: $b) { ... on Explanation { steps { ... on EvidenceStepConnection {
          edges { node { step txid heuristic addressFrom addressTo } } } } } } }""",
                                   a=ADDR["A"], b=ADDR["D"])["explain"]["steps"]["edges"]]
    assert [(s["step"], s["txid"]) for s in steps] == [
        (r["step"], r["txid"]) for r in small.read("cluster/explain",
                                                   {"a": ADDR["A"], "b": ADDR["D"]})]
    # an address the graph does not have is not found, not "not one entity"
    missing = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    got = gql(client, """query($a: String!, $b: String!) { explain(a: $a, b: $b) {
        __typename ... on NotFoundError { message } } }""", a=ADDR["A"], b=missing)["explain"]
    assert got == {"__typename": "NotFoundError", "message": f"no address {missing} in the graph"}


SEARCH_Q = """query($t: String!) { search(text: $t) { ... on SearchResults { hits {
  __typename ... on AddressHit { address scriptType } ... on TagHit { label address } } } } }"""


def test_search_by_prefix(client: TestClient) -> None:
    hits = gql(client, SEARCH_Q, t=ADDR["A"][:6])["search"]["hits"]
    assert {"__typename": "AddressHit", "address": ADDR["A"], "scriptType": "p2pkh"} in hits
    tags = gql(client, SEARCH_Q, t="exchange")["search"]["hits"]
    assert tags == [{"__typename": "TagHit", "label": "Exchange A", "address": ADDR["A"]}]
    assert gql(client, SEARCH_Q, t="  ")["search"]["hits"] == []


@pytest.mark.parametrize(("query", "variables", "says"), [
    ("query($h: Int) { block(height: $h) { __typename } }", {"h": "abc"}, "Int"),
    ("query($h: Int) { block(height: $h) { __typename } }", {"h": 99999999999}, "32-bit"),
    ("query($h: Int!) { block(height: $h) { __typename } }", {}, "to be provided"),
    ("query($m: TaintMethod!) { taint(method: $m, sources: [\"x\"]) { __typename } }",
     {"m": "NOPE"}, "TaintMethod"),
    ("query($a: [String!]!) { addresses(addresses: $a) { __typename } }", {"a": [None]},
     "non-null"),
    ("query($v: Amount) { traceForward(start: \"x\", minAmount: $v) { __typename } }",
     {"v": "abc"}, "decimal string"),
], ids=["wrong type", "out of range", "missing", "bad enum", "null in a list", "bad amount"])
def test_a_bad_variable_is_named_not_masked(client: TestClient, query: str,
                                            variables: dict[str, object], says: str) -> None:
    """A variable that does not fit its type is the client's mistake, refused before any
    resolver runs: graphql-core's message, not "Unexpected error."."""
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code < 500
    errors = r.json()["errors"]
    assert errors and all(e["message"] != "Unexpected error." for e in errors), errors
    assert says in errors[0]["message"], errors
