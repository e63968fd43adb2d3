"""`taint`, `exposure` and `clusterFlows` through the ASGI app equal the CLI's logic (the sync
analysis functions `chaintrail taint`, `chaintrail exposure` and `chaintrail trace
cluster-flows` call), field by field, on two graphs: the small hand-built chain of test_app
(with a tag on A) and real mainnet block 692261 with its prevouts and the OFAC tags (a
sanctioned address pays in it; see tests/analysis/test_real_tags.py). Then the typed errors.

Each test runs once per graph: `dataset` is a module fixture parametrized by graph, so pytest
loads one, runs every test on it, then loads the other."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from analysis.clustering import ClusterConfig, Clusterer
from analysis.exposure import Exposure, ExposureLimits, cluster_flows, exposure
from analysis.taint import MAX_SOURCES, METHODS, Taint, TaintLimits, taint
from api.app import create_app
from chaintrail.settings import Settings
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.tags.load import TagLoader
from tests.analysis.test_real_tags import SANCTIONED
from tests.api.conftest import gql, serving
from tests.cypher.test_cluster import ABCD, ADDR, CB, T2
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import wipe, write_blocks, write_tags

pytestmark = pytest.mark.neo4j

MISSING = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
"""A well-formed mainnet address that no test graph holds."""
MAX_ROWS = 100
"""Taint rows asked for: keeps the queries under the API's default complexity limit."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """A loaded graph and what to ask of it."""

    name: str
    graph: Graph
    taint_sources: list[list[str]]
    exposure_targets: list[str]
    cluster_ids: list[str]


def _small(graph: Graph) -> Dataset:
    wipe(graph)
    write_blocks(graph, small_chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    write_tags(graph, [{"id": "t1", "address": ADDR["A"], "label": "Exchange A",
                        "category": "exchange", "source": "test", "confidence": 50}])
    return Dataset(
        "small", graph,
        # E's coinbase output into the CoinJoin-shaped cj (a haircut of thirds), an address,
        # a cluster, a txid, and two sources at once
        taint_sources=[[f"{CB}:4"], [ADDR["A"]], [f"cluster:{ABCD[0]}"], [T2],
                       [f"{CB}:4", ADDR["C"]]],
        # X received from A (tagged) and B (in A's cluster); the cluster A-D
        exposure_targets=[ADDR["X"], f"cluster:{ABCD[0]}", ADDR["Z"]],
        cluster_ids=[ABCD[0], ADDR["X"]])


def _real(graph: Graph, data: Path) -> Dataset:
    wipe(graph)
    BitcoinLoader(graph, cluster_config=ClusterConfig()).load(
        [data / "bitcoin/raw/0692261.raw"], height=692261,
        prevout_files=[data / "bitcoin/prevouts/0692261.jsonl"])
    labels = data / "labels"
    TagLoader(graph).load([labels / "ofac-0xB10C/sanctioned_addresses_XBT.txt",
                           labels / "graphsense-tagpacks/packs/ofac.yaml"])
    entity = graph.read("cluster/of_address", {"address": SANCTIONED})[0]["cluster_id"]
    paid = taint(graph, "poison", [SANCTIONED], TaintLimits(max_hops=1))
    members = {r["address"] for r in graph.read("cluster/members",
                                                {"cluster_id": entity, "limit": 10_000})}
    payees = sorted({r.address for r in paid.rows if r.address} - members)
    assert payees, "block 692261 pays someone from the sanctioned address"
    return Dataset(
        "real", graph,
        taint_sources=[[SANCTIONED], [f"cluster:{entity}"]],
        exposure_targets=[payees[0], f"cluster:{entity}"],
        cluster_ids=[entity, payees[0]])


@pytest.fixture(scope="module", params=["small", "real"])
def dataset(request: pytest.FixtureRequest, graph: Graph) -> Dataset:
    if request.param == "small":
        return _small(graph)
    return _real(graph, request.getfixturevalue("shared_data"))


@pytest.fixture(scope="module")
def client(neo4j_settings: Settings, api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


# ---- taint ----------------------------------------------------------------------------------

TAINT_Q = """query($m: TaintMethod!, $s: [String!]!, $h: Int!, $r: Int!) {
  taint(method: $m, sources: $s, maxHops: $h, maxRows: $r) { __typename
    ... on TaintResultType {
      method sources sourceOutputs maxHops transactions taintedIn taintedOut taintedUnspent
      taintedBeyond taintedFees sourceOverlap rounding truncated truncation
      rows { hop txid vout address value taintedValue taintedExact status height }
      graph { nodes { id kind properties } edges { id source target kind value properties } } }
    ... on NotFoundError { message } ... on InvalidInput { message }
    ... on LimitExceeded { message } ... on InvalidAddress { message } } }"""


def taint_answer(t: Taint) -> dict[str, Any]:
    """The CLI's JSON (Taint.as_dict) in the schema's names, amounts as Satoshi strings."""
    d = t.as_dict()
    amounts = ("tainted_in", "tainted_out", "tainted_unspent", "tainted_beyond",
               "tainted_fees", "source_overlap")
    return {
        "__typename": "TaintResultType", "method": d["method"].upper(),
        "sources": d["sources"], "sourceOutputs": d["source_outputs"],
        "maxHops": d["max_hops"], "transactions": d["transactions"],
        **{_camel(k): str(d[k]) for k in amounts},
        "rounding": d["rounding"], "truncated": d["truncated"], "truncation": d["truncation"],
        "rows": [{"hop": r["hop"], "txid": r["txid"], "vout": r["vout"],
                  "address": r["address"], "value": str(r["value"]),
                  "taintedValue": str(r["tainted_value"]), "taintedExact": str(row.exact),
                  "status": r["status"], "height": r["height"]}
                 for r, row in zip(d["rows"], t.rows, strict=True)]}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def test_taint_equals_the_cli_logic(client: TestClient, dataset: Dataset) -> None:
    fractional, rows = False, 0
    for sources in dataset.taint_sources:
        for method in METHODS:
            got = gql(client, TAINT_Q, m=method.upper(), s=sources, h=4,
                      r=MAX_ROWS)["taint"]
            want = taint(dataset.graph, method, sources, TaintLimits(max_hops=4,
                                                                     max_rows=MAX_ROWS))
            graph = got.pop("graph")
            assert got == taint_answer(want), (method, sources)
            rows += len(want.rows)
            fractional |= any(r.exact.denominator > 1 for r in want.rows)
            check_taint_graph(graph, want)
    assert rows  # the comparisons are about something
    if dataset.name == "small":  # E's third of each cj output: the exact form matters
        assert fractional


def check_taint_graph(graph: dict[str, Any], want: Taint) -> None:
    """Every row is a payment edge with its tainted value (and so is taint that reached a
    source); every edge joins two nodes; each transaction's spend edges carry exactly the
    taint that entered it and its payment edges exactly the taint on its outputs."""
    ids = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])
    payments = {e["id"]: e for e in graph["edges"] if e["kind"] == "payment"}
    assert {k: e["value"] for k, e in payments.items()
            if not e["properties"].get("to_source")} == {
        r.output: str(r.tainted_value) for r in want.rows}
    # taint that reached a source from another source: edges to the source, the overlap
    assert sum(Fraction(e["properties"]["exact"]) for e in payments.values()
               if e["properties"].get("to_source")) == want.overlap
    assert {n["id"] for n in graph["nodes"] if n["kind"] == "transaction"} == {
        f.txid for f in want.flows}
    for f in want.flows:
        into = [Fraction(e["properties"]["exact"]) for e in graph["edges"]
                if e["target"] == f.txid and e["kind"] == "spend"]
        out = [Fraction(e["properties"]["exact"]) for e in graph["edges"]
               if e["source"] == f.txid and e["kind"] == "payment"]
        assert (sum(into), sum(out)) == (f.tainted_in, f.tainted_out), f.txid
    sources = {s.address or s.output for s in want.start}
    assert sources <= {n["id"] for n in graph["nodes"] if n["properties"].get("source")}


# ---- exposure -------------------------------------------------------------------------------

EXPOSURE_Q = """query($t: String!, $d: ExposureDirection!, $h: Int!) {
  exposure(target: $t, direction: $d, maxHops: $h) { __typename
    ... on ExposureResultType {
      target direction maxHops total outputCount txsVisited truncated truncation
      rows { category directValue indirectValue share }
      notExposure { own untagged unknown cut } }
    ... on NotFoundError { message } ... on InvalidInput { message }
    ... on LimitExceeded { message } ... on InvalidAddress { message } } }"""


def exposure_answer(e: Exposure) -> dict[str, Any]:
    d = e.as_dict()
    return {
        "__typename": "ExposureResultType", "target": d["target"],
        "direction": d["direction"].upper(), "maxHops": d["max_hops"],
        "total": str(d["total"]), "outputCount": d["output_count"],
        "txsVisited": d["txs_visited"], "truncated": d["truncated"],
        "truncation": d["truncation"],
        "rows": [{"category": r["category"], "directValue": str(r["direct_value"]),
                  "indirectValue": str(r["indirect_value"]), "share": r["share"]}
                 for r in d["rows"]],
        "notExposure": {k: str(v) for k, v in d["not_exposure"].items()}}


def test_exposure_equals_the_cli_logic(client: TestClient, dataset: Dataset) -> None:
    categories: set[str] = set()
    for target in dataset.exposure_targets:
        for direction in ("received", "sent"):
            for hops in (1, 3):
                got = gql(client, EXPOSURE_Q, t=target, d=direction.upper(), h=hops)
                want = exposure(dataset.graph, target, direction,
                                ExposureLimits(max_hops=hops))
                assert got["exposure"] == exposure_answer(want), (target, direction, hops)
                categories |= {r.category for r in want.rows}
    # the first target received from a tagged address: a category was found
    assert categories & {"exchange", "sanctioned"}


# ---- cluster flows --------------------------------------------------------------------------

FLOWS_Q = """query($c: String!, $d: FlowDirection!, $h: Int!) {
  clusterFlows(clusterId: $c, direction: $d, maxHops: $h) { __typename
    ... on ClusterFlowsResultType {
      clusterId direction maxHops truncated truncation
      rows { hop fromCluster toCluster value txCount }
      graph { nodes { id kind } edges { id source target kind value properties } } }
    ... on NotFoundError { message } ... on InvalidInput { message }
    ... on LimitExceeded { message } ... on InvalidAddress { message } } }"""


def test_cluster_flows_equal_the_cli_logic(client: TestClient, dataset: Dataset) -> None:
    flowed = 0
    for cid in dataset.cluster_ids:
        for direction in ("out", "in"):
            for hops in (1, 2):
                got = gql(client, FLOWS_Q, c=cid, d=direction.upper(), h=hops)["clusterFlows"]
                want = cluster_flows(dataset.graph, cid, direction,
                                     hops).as_dict()
                graph = got.pop("graph")
                assert got == {
                    "__typename": "ClusterFlowsResultType", "clusterId": want["cluster_id"],
                    "direction": direction.upper(), "maxHops": hops,
                    "truncated": want["truncated"], "truncation": want["truncation"],
                    "rows": [{"hop": r["hop"], "fromCluster": r["from_cluster"],
                              "toCluster": r["to_cluster"], "value": str(r["value"]),
                              "txCount": r["tx_count"]} for r in want["rows"]]}
                # the CLI's graph-json: one edge per row, clusters as nodes
                assert sorted((e["source"], e["target"], e["value"],
                               e["properties"]["tx_count"]) for e in graph["edges"]) == sorted(
                    (r["from_cluster"], r["to_cluster"], str(r["value"]), r["tx_count"])
                    for r in want["rows"])
                assert {n["id"] for n in graph["nodes"]} == {
                    c for r in want["rows"] for c in (r["from_cluster"], r["to_cluster"])}
                flowed += len(want["rows"])
    assert flowed


# ---- the same through a real uvicorn process ------------------------------------------------


def test_the_same_answers_through_chaintrail_serve(dataset: Dataset, cli_env: dict[str, str],
                                                   api_headers: dict[str, str]) -> None:
    """One taint, one exposure and one cluster-flows question through a real `chaintrail
    serve` process: the same answers as the CLI logic (the ASGI tests above ask many)."""
    with serving(cli_env) as api:

        def ask(query: str, **variables: Any) -> dict[str, Any]:
            r = httpx.post(f"{api.url}/graphql", headers=api_headers, timeout=60,
                           json={"query": query, "variables": variables})
            assert r.status_code == 200 and "errors" not in r.json(), r.text
            return dict(r.json()["data"])

        sources = dataset.taint_sources[0]
        got = ask(TAINT_Q, m="HAIRCUT", s=sources, h=4, r=MAX_ROWS)["taint"]
        got.pop("graph")
        assert got == taint_answer(taint(dataset.graph, "haircut", sources,
                                         TaintLimits(max_hops=4, max_rows=MAX_ROWS)))
        target = dataset.exposure_targets[0]
        assert ask(EXPOSURE_Q, t=target, d="RECEIVED", h=3)["exposure"] == exposure_answer(
            exposure(dataset.graph, target, "received", ExposureLimits(max_hops=3)))
        cid = dataset.cluster_ids[0]
        flows = ask(FLOWS_Q, c=cid, d="OUT", h=2)["clusterFlows"]
        want = cluster_flows(dataset.graph, cid, "out", 2).as_dict()
        assert [(r["hop"], r["fromCluster"], r["toCluster"], r["value"], r["txCount"])
                for r in flows["rows"]] == [
            (r["hop"], r["from_cluster"], r["to_cluster"], str(r["value"]), r["tx_count"])
            for r in want["rows"]]


# ---- typed errors ---------------------------------------------------------------------------


def _typename(client: TestClient, query: str, field: str, **variables: Any) -> str:
    return str(gql(client, query, **variables)[field]["__typename"])


def test_taint_with_the_schema_defaults_fits_the_cost_limit(client: TestClient,
                                                             dataset: Dataset) -> None:
    """A query that leaves maxRows out must run: its default (1,000 rows) costs less than the
    default cost limit; asking for the CLI's 10,000 is refused before anything runs."""
    from api.schema.taint import API_DEFAULT_ROWS

    q = """query($s: [String!]!, $r: Int) { taint(method: HAIRCUT, sources: $s, maxRows: $r) {
      __typename ... on TaintResultType { rows { txid vout taintedValue } } } }"""
    r = client.post("/graphql", json={"query": q, "variables": {
        "s": dataset.taint_sources[0]}}).json()
    assert "errors" not in r and r["data"]["taint"]["__typename"] == "TaintResultType"
    want = taint(dataset.graph, "haircut", dataset.taint_sources[0],
                 TaintLimits(max_hops=6, max_rows=API_DEFAULT_ROWS))
    assert len(r["data"]["taint"]["rows"]) == len(want.rows)
    over = client.post("/graphql", json={"query": q, "variables": {
        "s": dataset.taint_sources[0], "r": 10_000}}).json()
    assert "above the limit" in over["errors"][0]["message"]


def test_typed_errors(client: TestClient, dataset: Dataset) -> None:
    src = dataset.taint_sources[0]
    target, cid = dataset.exposure_targets[0], dataset.cluster_ids[0]

    def t(**v: Any) -> str:
        return _typename(client, TAINT_Q, "taint", **{"m": "HAIRCUT", "s": src, "h": 4,
                                                      "r": MAX_ROWS, **v})

    def e(**v: Any) -> str:
        return _typename(client, EXPOSURE_Q, "exposure",
                         **{"t": target, "d": "RECEIVED", "h": 3, **v})

    def f(**v: Any) -> str:
        return _typename(client, FLOWS_Q, "clusterFlows", **{"c": cid, "d": "OUT", "h": 2, **v})

    # too much work asked: LimitExceeded; a meaningless bound: InvalidInput
    assert (t(h=99), e(h=99), f(h=99)) == ("LimitExceeded",) * 3
    assert t(s=[f"{'ab' * 32}:{n}" for n in range(MAX_SOURCES + 1)]) == "LimitExceeded"
    assert (t(h=0), e(h=0), f(h=0), t(s=[])) == ("InvalidInput",) * 4
    # a start that is no address, txid, output or cluster: InvalidInput
    assert (t(s=["not an address!"]), e(t="cluster:"), e(t="a b")) == ("InvalidInput",) * 3
    # a mistyped address (bad checksum): InvalidAddress, as the CLI checks before any query
    typo = MISSING[:-1] + "X"
    assert (t(s=[typo]), e(t=typo), f(c=typo)) == ("InvalidAddress",) * 3
    # well-formed but not in the graph: NotFoundError
    assert (t(s=[MISSING]), t(s=["cd" * 32]), e(t=MISSING), e(t=f"cluster:{MISSING}"),
            f(c=MISSING)) == ("NotFoundError",) * 5
    # an unknown method or direction is not in the schema's enums: a validation error
    for query, variables in ((TAINT_Q, {"m": "LIFO", "s": src, "h": 4, "r": MAX_ROWS}),
                             (EXPOSURE_Q, {"t": target, "d": "SIDEWAYS", "h": 3}),
                             (FLOWS_Q, {"c": cid, "d": "UP", "h": 2})):
        r = client.post("/graphql", json={"query": query, "variables": variables})
        assert r.status_code == 200 and r.json()["errors"] and not r.json().get("data")
