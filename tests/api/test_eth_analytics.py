"""GraphQL `traceForward`, `traceBackward`, `paths`, `taint` and `exposure` on Ethereum equal
the CLI's logic (the analysis functions `chaintrail trace|taint|exposure` call, with the
CLI's EIP-55 display), field by field, on ethereum-etl's `test_stream` exports (mainnet
blocks 17173049-50 among others: Uniswap swaps moving WETH), loaded from files. The start
is the account whose WETH trail is the longest, found by the analysis itself; a tag on the
first account it pays gives exposure something to find. Then the typed errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analysis.account_taint import EthTaint
from analysis.exposure import ExposureLimits, exposure
from analysis.taint import METHODS, TaintLimits, taint
from analysis.trace import Trace, TraceLimits, paths, trace
from api.app import create_app
from api.graph import eth_taint_graph, vis_graph
from chaintrail.settings import Settings
from cypher.runner import Graph
from loaders.ethereum.address import displayed, eip55_checksum
from loaders.ethereum.load import EthereumLoader
from tests.api.conftest import gql
from tests.helpers import wipe, write_tags

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
LIMITS = TraceLimits(max_hops=4, max_rows=200)


@pytest.fixture(scope="module")
def stream(graph: Graph, shared_data: Path) -> dict[str, str]:
    """The exports loaded, a start, an account two hops on, and the tagged account."""
    folder = shared_data / "ethereum" / "ethereum-etl" / "test_stream"
    if not folder.is_dir():
        pytest.skip(f"ethereum-etl test resources not present at {folder}")
    wipe(graph)
    EthereumLoader(graph).load_files([folder])
    with graph.driver.session(database=graph.database) as s:
        senders = [r["a"] for r in s.run(
            "MATCH (a:Account)-[t:TRANSFER {asset: $w}]->() RETURN DISTINCT a.address AS a "
            "ORDER BY a", w=WETH)]
    trails = {a: trace(graph, a, "forward", LIMITS, asset=WETH) for a in senders}
    start = max(senders, key=lambda a: (max((r["hop"] for r in trails[a].rows), default=0),
                                        len(trails[a].rows), a))
    rows = trails[start].rows
    assert max(r["hop"] for r in rows) >= 3, "a trail of several hops to compare"
    tagged = rows[0]["to_address"]
    far = next(r["to_address"] for r in rows if r["hop"] >= 2 and r["to_address"] != start
               and r["to_address"] != tagged)
    write_tags(graph, [{"id": "eth-api-1", "address": tagged, "label": "Pool",
                        "category": "exchange", "source": "test", "confidence": 50,
                        "currency": "ETH"}])
    return {"start": start, "far": far, "tagged": tagged}


@pytest.fixture(scope="module")
def client(neo4j_settings: Settings, api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


TRACE_Q = """query($s: String!, $a: String, $h: Int!, $w: WindowInput) {
  f: traceForward(start: $s, asset: $a, maxHops: $h, maxRows: 200, window: $w) { ...T }
  b: traceBackward(start: $s, asset: $a, maxHops: $h, maxRows: 200, window: $w) { ...T } }
fragment T on TraceResult { __typename
  ... on TraceResultType { start direction chain asset truncated truncation
    rows { hop txid height fromAddress toAddress toOutput value amount asset kind time stopped }
    graph { nodes { id kind } edges { id source target kind value amount asset time } } }
  ... on NotFoundError { message } ... on InvalidInput { message } }"""


def trace_answer(t: Trace) -> dict[str, Any]:
    d = displayed(t.as_dict())
    g = displayed(vis_graph(t.as_graph()))
    return {"__typename": "TraceResultType", "start": d["start"], "direction": t.direction,
            "chain": "ETHEREUM", "asset": d["asset"], "truncated": d["truncated"],
            "truncation": d["truncation"],
            "rows": [{"hop": r["hop"], "txid": r["txid"], "height": r["height"],
                      "fromAddress": r["from_address"], "toAddress": r["to_address"],
                      "toOutput": r["to_output"], "value": None, "amount": r["value"],
                      "asset": r["asset"], "kind": r["kind"], "time": r["time"],
                      "stopped": r["stopped"]} for r in d["rows"]],
            "graph": {"nodes": [{"id": n["id"], "kind": n["kind"]} for n in g["nodes"]],
                      "edges": [{"id": e["id"], "source": e["source"], "target": e["target"],
                                 "kind": e["kind"], "value": None, "amount": e["value"],
                                 "asset": e["properties"]["asset"], "time": e["time"]}
                                for e in g["edges"]]}}


def test_traces_equal_the_cli_logic(client: TestClient, graph: Graph,
                                    stream: dict[str, str]) -> None:
    for start in (stream["start"], stream["far"]):
        for asset in (WETH, "*", None):
            got = gql(client, TRACE_Q, s=start, a=asset, h=4)
            for key, direction in (("f", "forward"), ("b", "backward")):
                want = trace(graph, start, direction, LIMITS, asset=asset)
                assert got[key] == trace_answer(want), (start, asset, direction)
    forward = gql(client, TRACE_Q, s=stream["start"], a=WETH, h=4)["f"]
    assert forward["rows"] and forward["graph"]["edges"]
    assert forward["start"] == eip55_checksum(stream["start"])  # shown with its checksum
    # a window that ends before the first block of the exports: nothing moves
    none = gql(client, TRACE_Q, s=stream["start"], a=WETH, h=4, w={"toBlock": 1})
    assert none["f"]["rows"] == [] and none["b"]["rows"] == []


PATHS_Q = """query($a: String!, $b: String!, $asset: String) {
  paths(source: $a, target: $b, asset: $asset, maxHops: 4) { __typename
    ... on PathsResultType { chain notes
      paths { rank hops txids addresses outputs bottleneckValue bottleneckAmount asset }
      graph { edges { id source target } } }
    ... on NotFoundError { message } ... on InvalidInput { message } } }"""


def test_paths_equal_the_cli_logic(client: TestClient, graph: Graph,
                                   stream: dict[str, str]) -> None:
    got = gql(client, PATHS_Q, a=stream["start"], b=stream["far"], asset=WETH)["paths"]
    want = displayed(paths(graph, stream["start"], stream["far"], max_hops=4, asset=WETH))
    assert got["paths"] == [
        {"rank": p["rank"], "hops": p["hops"], "txids": p["txids"],
         "addresses": p["addresses"], "outputs": p["outputs"], "bottleneckValue": None,
         "bottleneckAmount": p["bottleneck_value"], "asset": p["asset"]}
        for p in want["paths"]]
    assert got["paths"] and got["chain"] == "ETHEREUM" and got["notes"] == want["notes"]
    assert [e["id"] for e in got["graph"]["edges"]] == [
        f"{p['rank']}/{o}" for p in want["paths"] for o in p["outputs"]]


TAINT_Q = """query($m: TaintMethod!, $s: [String!]!, $a: String) {
  taint(method: $m, sources: $s, asset: $a, maxHops: 4, maxRows: 500) { __typename
    ... on TaintResultType { method chain asset sources sourceOutputs transactions
      taintedIn taintedInAmount taintedOutAmount taintedUnspentAmount taintedBeyondAmount
      taintedFeesAmount sourceOverlapAmount rounding truncated truncation
      rows { hop txid vout transfer fromAddress address value amount taintedValue
             taintedAmount taintedExact status height asset }
      graph { nodes { id kind properties } edges { id source target kind amount properties } } }
    ... on NotFoundError { message } ... on InvalidInput { message }
    ... on InvalidAddress { message } ... on LimitExceeded { message } } }"""


def taint_answer(t: EthTaint) -> dict[str, Any]:
    d = displayed(t.as_dict())
    return {
        "__typename": "TaintResultType", "method": t.method.upper(), "chain": "ETHEREUM",
        "asset": d["asset"], "sources": d["sources"], "sourceOutputs": d["source_outputs"],
        "transactions": d["transactions"], "taintedIn": None,
        "taintedInAmount": d["tainted_in"], "taintedOutAmount": d["tainted_out"],
        "taintedUnspentAmount": d["tainted_unspent"],
        "taintedBeyondAmount": d["tainted_beyond"], "taintedFeesAmount": d["tainted_fees"],
        "sourceOverlapAmount": d["source_overlap"], "rounding": d["rounding"],
        "truncated": d["truncated"], "truncation": d["truncation"],
        "rows": [{"hop": r["hop"], "txid": r["txid"], "vout": None, "transfer": r["transfer"],
                  "fromAddress": r["from_address"], "address": r["address"], "value": None,
                  "amount": r["value"], "taintedValue": None,
                  "taintedAmount": r["tainted_value"], "taintedExact": str(x.exact),
                  "status": r["status"], "height": r["height"], "asset": r["asset"]}
                 for r, x in zip(d["rows"], t.rows, strict=True)]}


def test_taint_equals_the_cli_logic(client: TestClient, graph: Graph,
                                    stream: dict[str, str]) -> None:
    rows = 0
    for sources in ([stream["start"]], [stream["far"]]):
        for method in METHODS:
            got = gql(client, TAINT_Q, m=method.upper(), s=sources, a=WETH)["taint"]
            want = taint(graph, method, sources, TaintLimits(max_hops=4, max_rows=500),
                         asset=WETH)
            assert isinstance(want, EthTaint)
            g = got.pop("graph")
            assert got == taint_answer(want), (sources, method)
            edges = {e["id"]: e for e in g["edges"]}
            assert {k: e["amount"] for k, e in edges.items()} == {
                e["id"]: str(e["value"]) for e in eth_taint_graph(want)["edges"]}
            assert {r.transfer.id: r.exact for r in want.rows} == {
                k: Fraction(e["properties"]["exact"]) for k, e in edges.items()
                if not e["properties"].get("source")}
            rows += len(want.rows)
    assert rows  # the comparisons are about something


EXPOSURE_Q = """query($t: String!, $d: ExposureDirection!, $a: String) {
  exposure(target: $t, direction: $d, asset: $a, maxHops: 3) { __typename
    ... on ExposureResultType { target direction chain asset total totalAmount outputCount
      txsVisited truncated truncation
      rows { category directValue directAmount indirectAmount share }
      notExposure { own ownAmount untaggedAmount unknownAmount cutAmount } }
    ... on NotFoundError { message } ... on InvalidInput { message }
    ... on InvalidAddress { message } } }"""


def test_exposure_equals_the_cli_logic(client: TestClient, graph: Graph,
                                       stream: dict[str, str]) -> None:
    found = set()
    for target in (stream["start"], stream["far"]):
        for direction in ("received", "sent"):
            got = gql(client, EXPOSURE_Q, t=target, d=direction.upper(), a=WETH)["exposure"]
            d = displayed(exposure(graph, target, direction, ExposureLimits(max_hops=3),
                                 asset=WETH).as_dict())
            assert got == {
                "__typename": "ExposureResultType", "target": d["target"],
                "direction": direction.upper(), "chain": "ETHEREUM", "asset": d["asset"],
                "total": None, "totalAmount": d["total"], "outputCount": d["output_count"],
                "txsVisited": d["txs_visited"], "truncated": d["truncated"],
                "truncation": d["truncation"],
                "rows": [{"category": r["category"], "directValue": None,
                          "directAmount": r["direct_value"],
                          "indirectAmount": r["indirect_value"], "share": r["share"]}
                         for r in d["rows"]],
                "notExposure": {"own": None, "ownAmount": d["not_exposure"]["own"],
                                "untaggedAmount": d["not_exposure"]["untagged"],
                                "unknownAmount": d["not_exposure"]["unknown"],
                                "cutAmount": d["not_exposure"]["cut"]}}, (target, direction)
            found |= {r["category"] for r in d["rows"]}
    assert "exchange" in found  # the start paid the tagged account directly


def test_typed_errors(client: TestClient, stream: dict[str, str]) -> None:
    start = stream["start"]

    def typename(query: str, field: str, **v: Any) -> str:
        return str(gql(client, query, **v)[field]["__typename"])

    bad_case = eip55_checksum(start).swapcase().replace("0X", "0x")
    assert typename(TAINT_Q, "taint", m="HAIRCUT", s=[bad_case], a=WETH) == "InvalidAddress"
    assert typename(TAINT_Q, "taint", m="HAIRCUT", s=[start], a="*") == "InvalidInput"
    assert typename(TAINT_Q, "taint", m="HAIRCUT", s=["0x" + "12" * 20]) == "NotFoundError"
    assert typename(EXPOSURE_Q, "exposure", t=f"cluster:{start}", d="RECEIVED",
                    a=None) == "InvalidInput"
    assert typename(EXPOSURE_Q, "exposure", t=start, d="SENT", a="*") == "InvalidInput"
    assert gql(client, TRACE_Q, s="0x12", a=None, h=2)["f"]["__typename"] == "InvalidInput"
    assert gql(client, TRACE_Q, s=start, a="BTC", h=2)["f"]["__typename"] == "InvalidInput"
    flows = gql(client, f'query {{ clusterFlows(clusterId: "{start}") {{ __typename '
                        '... on InvalidInput { message } } }')["clusterFlows"]
    assert flows["__typename"] == "InvalidInput" and "Bitcoin only" in flows["message"]
    # a 0x start asked on Bitcoin is no Bitcoin address: InvalidAddress, as the CLI says
    q = 'query($s: String!) { traceForward(start: $s, chain: BITCOIN) { __typename } }'
    assert gql(client, q, s=start)["traceForward"]["__typename"] == "InvalidAddress"
    over = 'query($s: String!) { traceForward(start: $s, window: {fromBlock: 9, toBlock: 8}) ' \
           '{ __typename } }'
    assert gql(client, over, s=start)["traceForward"]["__typename"] == "InvalidInput"


def test_an_export_shows_accounts_in_eip55_as_graphql_does(client: TestClient,
                                                           stream: dict[str, str]) -> None:
    q = """query($s: String!) { traceForward(start: $s, maxHops: 3, maxRows: 200) {
      ... on TraceResultType { graph { nodes { id } edges { id source target } } } } }"""
    want = gql(client, q, s=stream["start"].upper().replace("0X", "0x"))["traceForward"]["graph"]
    r = client.get("/export/json", params={"trace": "forward", "start": stream["start"],
                                           "max_hops": "3", "max_rows": "200"})
    assert r.status_code == 200, r.text
    got = json.loads(r.content)
    assert [n["id"] for n in got["nodes"]] == [n["id"] for n in want["nodes"]]
    assert [(e["id"], e["source"], e["target"]) for e in got["edges"]] == [
        (e["id"], e["source"], e["target"]) for e in want["edges"]]
    assert got["nodes"][0]["id"] == eip55_checksum(stream["start"]) != stream["start"]
