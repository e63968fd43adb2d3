"""Cases through GraphQL on the small hand-built chain of tests/api/test_app.py: create, add
items (a saved trace included), reopen and re-run with the same digest, list by pages, all or
nothing on a bad item, removal that keeps, and the roles (real API keys)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analysis.clustering import ClusterConfig, Clusterer
from analysis.trace import TraceLimits, trace
from api.app import create_app
from api.auth import add_key, key_id, new_key
from api.cases import TraceRequest, digest
from chaintrail.errors import ChaintrailError
from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.api.conftest import gql
from tests.cypher.test_cluster import ADDR, T1
from tests.cypher.test_cluster import chain as small_chain
from tests.helpers import wipe, write_blocks, write_tags

pytestmark = pytest.mark.neo4j

UNLOADED = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"  # a valid address with nothing in the graph
BAD = "1BoatSLRHtKNngkdXEeobR76b53LETtpyX"  # a bad checksum

CASE = "id name description createdBy createdByKey createdAt updatedAt itemCount traceCount"
ITEM = """id kind ref text digest ranAt addedBy addedByKey addedAt removedBy removedAt loaded
          request { kind start source target maxHops minValue maxFanout maxRows stopAt k
                    includeSuperNodes }"""
PROBLEM = "... on NotFoundError { message } ... on InvalidAddress { message } " \
          "... on InvalidInput { message } ... on LimitExceeded { message } " \
          "... on PermissionDenied { message }"
GRAPH = "nodes { id kind label properties } edges { id source target kind value time properties }"

CREATE = f"""mutation($name: String!, $d: String! = "") {{ createCase(name: $name,
  description: $d) {{ __typename ... on Case {{ {CASE} }} {PROBLEM} }} }}"""
ADD = f"""mutation($c: ID!, $a: [String!], $t: [String!], $n: String, $tr: TraceRequestInput) {{
  addToCase(caseId: $c, addresses: $a, transactions: $t, note: $n, trace: $tr) {{ __typename
    ... on AddedToCase {{ case {{ {CASE} }} items {{ {ITEM} }} }} {PROBLEM} }} }}"""
REOPEN = f"""query($c: ID!, $first: Int! = 50, $after: String, $removed: Boolean! = false) {{
  case(id: $c) {{ __typename ... on Case {{ {CASE}
    items(first: $first, after: $after, includeRemoved: $removed) {{ __typename
      ... on CaseItemConnection {{ totalCount pageInfo {{ hasNextPage endCursor }}
        edges {{ node {{ {ITEM}
          rerun {{ __typename ... on TraceRun {{ digest ranAt unchanged graph {{ {GRAPH} }} }}
                   {PROBLEM} }} }} }} }} {PROBLEM} }}
    graph {{ __typename ... on Graph {{ {GRAPH} }} {PROBLEM} }} }} {PROBLEM} }} }}"""
REMOVE = f"""mutation($c: ID!, $ids: [ID!]!) {{ removeFromCase(caseId: $c, itemIds: $ids) {{
  __typename ... on RemovedFromCase {{ itemIds case {{ itemCount }} }} {PROBLEM} }} }}"""
LIST = f"""query($first: Int!, $after: String) {{ cases(first: $first, after: $after) {{
  __typename ... on CaseConnection {{ edges {{ cursor node {{ {CASE} }} }}
    pageInfo {{ hasNextPage hasPreviousPage endCursor }} }} {PROBLEM} }} }}"""
TRACE_GRAPH = f"""query($s: String!) {{ traceForward(start: $s, maxHops: 3, maxRows: 100) {{
  ... on TraceResultType {{ graph {{ {GRAPH} }} }} }} }}"""
FORWARD_A = {"kind": "FORWARD", "start": ADDR["A"], "maxHops": 3, "maxRows": 100}


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, small_chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    return graph


def key(graph: Graph, role: str, name: str) -> dict[str, str]:
    k = new_key()
    add_key(graph, k, role=role, name=name)
    return {"Authorization": f"Bearer {k}"}


@pytest.fixture(scope="module")
def keys(small: Graph) -> dict[str, dict[str, str]]:
    return {role: key(small, role, name) for role, name in (
        ("reader", "rita"), ("analyst", "alice"), ("admin", "ada"))}


@pytest.fixture(scope="module")
def app_client(small: Graph, neo4j_settings: Settings,
               api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


@pytest.fixture
def client(app_client: TestClient, keys: dict[str, dict[str, str]]) -> TestClient:
    """The app as the analyst alice."""
    app_client.headers.update(keys["analyst"])
    return app_client


def as_(client: TestClient, headers: dict[str, str], query: str, **variables: Any
        ) -> dict[str, Any]:
    r = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    assert "errors" not in r.json(), r.json()
    return dict(r.json()["data"])


def create(client: TestClient, name: str = "Ransom 42", **more: Any) -> dict[str, Any]:
    case = gql(client, CREATE, name=name, **more)["createCase"]
    assert case["__typename"] == "Case", case
    return dict(case)


def item_nodes(client: TestClient, cid: str) -> list[dict[str, Any]]:
    c = gql(client, REOPEN, c=cid)["case"]
    return [e["node"] for e in c["items"]["edges"]]


def count_items(graph: Graph) -> int:
    with graph.driver.session(database=graph.database) as s:
        rec = s.run("MATCH (i:CaseItem) RETURN count(i) AS n").single()
        assert rec is not None
        return int(rec["n"])


def test_create_add_reopen_and_rerun_with_the_same_digest(
        client: TestClient, small: Graph, keys: dict[str, dict[str, str]]) -> None:
    case = create(client, d="the payments")
    alice_key = key_id(keys["analyst"]["Authorization"].removeprefix("Bearer "))
    assert (case["name"], case["description"], case["createdBy"], case["createdByKey"],
            case["itemCount"], case["createdAt"] == case["updatedAt"]) == (
        "Ransom 42", "the payments", "alice", alice_key, 0, True)

    added = gql(client, ADD, c=case["id"], a=[ADDR["A"], UNLOADED], t=[T1.upper()],
                n="  seen on a forum ", tr={**FORWARD_A, "stopAt": ["mixer", "exchange"]}
                )["addToCase"]
    assert added["__typename"] == "AddedToCase", added
    items = added["items"]
    assert [(i["kind"], i["ref"], i["loaded"], i["text"]) for i in items] == [
        ("ADDRESS", ADDR["A"], True, None), ("ADDRESS", UNLOADED, False, None),
        ("TRANSACTION", T1, True, None), ("TRACE", ADDR["A"], False, None),
        ("NOTE", None, False, "seen on a forum")]
    assert {(i["addedBy"], i["addedByKey"], i["addedAt"]) for i in items} == {
        ("alice", alice_key, added["case"]["updatedAt"])}
    saved = items[3]
    # the digest is the SHA-256 of the canonical JSON of the very answer the CLI's trace gives
    want = trace(small, ADDR["A"], "forward",
                 TraceLimits(max_hops=3, max_rows=100,
                             stop_at_categories=("exchange", "mixer")))
    assert saved["digest"] == digest(want.as_dict())
    assert saved["request"] == {"kind": "FORWARD", "start": ADDR["A"], "source": None,
                                "target": None, "maxHops": 3, "minValue": "0",
                                "maxFanout": 100, "maxRows": 100,
                                "stopAt": ["exchange", "mixer"], "k": None,
                                "includeSuperNodes": None}
    assert saved["ranAt"] <= saved["addedAt"]
    assert (added["case"]["itemCount"], added["case"]["traceCount"]) == (5, 1)

    reopened = gql(client, REOPEN, c=case["id"])["case"]
    nodes = [e["node"] for e in reopened["items"]["edges"]]
    assert [{k: v for k, v in n.items() if k != "rerun"} for n in nodes] == items
    assert reopened["items"]["totalCount"] == 5
    rerun = nodes[3]["rerun"]
    assert rerun["__typename"] == "TraceRun"
    assert (rerun["digest"], rerun["unchanged"]) == (saved["digest"], True)
    assert rerun["ranAt"] > saved["ranAt"]
    assert [n["rerun"] for n in nodes if n["kind"] != "TRACE"] == [None] * 4

    # the case's graph: its addresses and its transaction, and the trace's graph merged
    tg = gql(client, TRACE_GRAPH, s=ADDR["A"])["traceForward"]["graph"]
    assert rerun["graph"] == tg
    ids = [i["id"] for i in items]
    from_trace = {n["id"]: n for n in tg["nodes"]}
    want_nodes = {
        ADDR["A"]: {"id": ADDR["A"], "kind": "address", "label": ADDR["A"], "properties": {
            **from_trace[ADDR["A"]]["properties"], "case_items": [ids[0], ids[3]]}},
        UNLOADED: {"id": UNLOADED, "kind": "address", "label": UNLOADED,
                   "properties": {"case_items": [ids[1]]}},
        T1: {"id": T1, "kind": "transaction", "label": T1,
             "properties": {"case_items": [ids[2]]}},
        **{n["id"]: {**n, "properties": {**n["properties"], "case_items": [ids[3]]}}
           for n in tg["nodes"] if n["id"] != ADDR["A"]}}
    g = reopened["graph"]
    assert g["__typename"] == "Graph"
    assert g["nodes"] == [want_nodes[k] for k in sorted(want_nodes)]
    assert g["edges"] == [{**e, "properties": {**e["properties"], "case_items": [ids[3]]}}
                          for e in tg["edges"]]
    assert tg["edges"] and all(e["properties"]["txid"] == T1 for e in tg["edges"])


def test_a_changed_answer_changes_the_digest(client: TestClient, small: Graph) -> None:
    case = create(client, "Changes")
    saved = gql(client, ADD, c=case["id"], tr=FORWARD_A)["addToCase"]["items"][0]
    write_tags(small, [{"id": "case-test", "address": ADDR["X"],  # X, reached by the trace
                        "label": "Mixer", "category": "mixer", "source": "test",
                        "confidence": 50}])
    try:
        rerun = item_nodes(client, case["id"])[0]["rerun"]
        assert rerun["digest"] != saved["digest"] and rerun["unchanged"] is False
    finally:
        with small.driver.session(database=small.database) as s:
            s.run("MATCH (t:Tag {id: 'case-test'}) DETACH DELETE t").consume()
    assert item_nodes(client, case["id"])[0]["rerun"]["unchanged"] is True


def test_a_paths_request_is_saved_and_rerun(client: TestClient, small: Graph) -> None:
    case = create(client, "Paths")
    got = gql(client, ADD, c=case["id"], tr={"kind": "PATHS", "source": ADDR["C"],
                                             "target": ADDR["Y"], "k": 2})["addToCase"]
    item = got["items"][0]
    assert (item["ref"], item["request"]["kind"], item["request"]["k"],
            item["request"]["maxHops"], item["request"]["maxRows"]) == (
        f"{ADDR['C']} -> {ADDR['Y']}", "PATHS", 2, 6, None)
    assert item_nodes(client, case["id"])[0]["rerun"]["unchanged"] is True


def test_cases_are_listed_by_pages(client: TestClient, small: Graph) -> None:
    with small.driver.session(database=small.database) as s:
        s.run("MATCH (c:Case) OPTIONAL MATCH (c)<-[:IN_CASE]-(x) DETACH DELETE c, x").consume()
    made = [create(client, f"Case {i}")["id"] for i in range(3)]
    page1 = gql(client, LIST, first=2)["cases"]
    assert [e["node"]["id"] for e in page1["edges"]] == made[:2]
    assert (page1["pageInfo"]["hasNextPage"], page1["pageInfo"]["hasPreviousPage"]) == (
        True, False)
    page2 = gql(client, LIST, first=2, after=page1["pageInfo"]["endCursor"])["cases"]
    assert [e["node"]["name"] for e in page2["edges"]] == ["Case 2"]
    assert page2["pageInfo"]["hasNextPage"] is False
    assert gql(client, LIST, first=101)["cases"]["__typename"] == "LimitExceeded"
    assert gql(client, LIST, first=2, after="bm90LWEtY3Vyc29y")["cases"][
        "__typename"] == "InvalidInput"


def test_items_page_by_cursor(client: TestClient) -> None:
    case = create(client, "Many")
    addrs = sorted(ADDR.values())[:5]
    gql(client, ADD, c=case["id"], a=addrs)
    first = gql(client, REOPEN, c=case["id"], first=3)["case"]["items"]
    assert [e["node"]["ref"] for e in first["edges"]] == addrs[:3]
    rest = gql(client, REOPEN, c=case["id"], first=3,
               after=first["pageInfo"]["endCursor"])["case"]["items"]
    assert [e["node"]["ref"] for e in rest["edges"]] == addrs[3:]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_a_bad_item_leaves_nothing_written(client: TestClient, small: Graph) -> None:
    case = create(client, "Atomic")
    cid = case["id"]
    before = count_items(small)
    bad = [
        ({"a": [ADDR["A"], BAD]}, "InvalidAddress", "checksum"),
        ({"a": ["0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"]}, "InvalidAddress", "EIP-55"),
        ({"a": [ADDR["A"]], "t": ["abc"]}, "InvalidInput", "txid"),
        ({"a": [ADDR["A"]], "n": "   "}, "InvalidInput", "note"),
        ({}, "InvalidInput", "nothing to add"),
        ({"a": [ADDR["A"]], "tr": {**FORWARD_A, "maxHops": 99}}, "LimitExceeded", "max_hops"),
        ({"a": [ADDR["A"]], "tr": {"kind": "FORWARD", "start": UNLOADED}}, "NotFoundError",
         UNLOADED),
        ({"a": [ADDR["A"]], "tr": {"kind": "FORWARD", "start": ADDR["A"], "k": 2}},
         "InvalidInput", "k does not apply"),
        ({"a": [ADDR["A"]], "tr": {"kind": "PATHS", "source": ADDR["A"]}}, "InvalidInput",
         "target is required"),
        ({"a": [ADDR["A"]] + [f"1{i}" for i in range(5)]}, "InvalidAddress", "'10'"),
        ({"a": [ADDR["A"]] * 101}, "LimitExceeded", "at most 100"),
        ({"tr": {**FORWARD_A, "minValue": str(2**70)}}, "LimitExceeded", "min_value"),
    ]
    for variables, typename, words in bad:
        got = gql(client, ADD, c=cid, **variables)["addToCase"]
        assert (got["__typename"], words in got["message"]) == (typename, True), got
    nowhere = gql(client, ADD, c="no-such-case", a=[ADDR["A"]], tr=FORWARD_A)["addToCase"]
    assert nowhere["__typename"] == "NotFoundError"
    # the case's row budget is checked inside the write transaction: over it, nothing stays
    full = gql(client, ADD, c=cid, tr={**FORWARD_A, "maxRows": 100_000})["addToCase"]
    assert full["__typename"] == "AddedToCase"
    over = gql(client, ADD, c=cid, a=[ADDR["B"]], tr={**FORWARD_A, "maxRows": 1})["addToCase"]
    assert over["__typename"] == "LimitExceeded" and "100000 rows" in over["message"]
    assert count_items(small) == before + 1
    assert [n["kind"] for n in item_nodes(client, cid)] == ["TRACE"]


def test_removal_marks_and_keeps(client: TestClient, small: Graph) -> None:
    case = create(client, "Removal")
    items = gql(client, ADD, c=case["id"], a=[ADDR["A"], ADDR["B"]], n="x")["addToCase"][
        "items"]
    ids = [i["id"] for i in items]
    missing = gql(client, REMOVE, c=case["id"], ids=[ids[0], "nope"])["removeFromCase"]
    assert missing["__typename"] == "NotFoundError" and "nope" in missing["message"]
    assert len(item_nodes(client, case["id"])) == 3  # the good id was not removed either
    done = gql(client, REMOVE, c=case["id"], ids=[ids[0], ids[2]])["removeFromCase"]
    assert (sorted(done["itemIds"]), done["case"]["itemCount"]) == (sorted([ids[0], ids[2]]), 1)
    assert [n["id"] for n in item_nodes(client, case["id"])] == [ids[1]]
    every = gql(client, REOPEN, c=case["id"], removed=True)["case"]["items"]
    assert [(e["node"]["id"], e["node"]["removedBy"]) for e in every["edges"]] == [
        (ids[0], "alice"), (ids[1], None), (ids[2], "alice")]
    assert every["totalCount"] is None
    again = gql(client, REMOVE, c=case["id"], ids=[ids[0]])["removeFromCase"]
    assert again["__typename"] == "NotFoundError"
    g = gql(client, REOPEN, c=case["id"])["case"]["graph"]
    assert [n["id"] for n in g["nodes"]] == [ADDR["B"]]


def test_rename(client: TestClient) -> None:
    case = create(client, "Old", d="old text")
    q = f"""mutation($c: ID!, $n: String, $d: String) {{ updateCase(id: $c, name: $n,
            description: $d) {{ __typename ... on Case {{ {CASE} }} {PROBLEM} }} }}"""
    got = gql(client, q, c=case["id"], n="New")["updateCase"]
    assert (got["name"], got["description"]) == ("New", "old text")
    assert got["updatedAt"] > case["updatedAt"]
    assert gql(client, q, c=case["id"], n=" ")["updateCase"]["__typename"] == "InvalidInput"
    assert gql(client, q, c="nope", n="x")["updateCase"]["__typename"] == "NotFoundError"
    long = gql(client, CREATE, name="x" * 201)["createCase"]
    assert long["__typename"] == "LimitExceeded"


def test_roles(app_client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    case = as_(app_client, keys["analyst"], CREATE, name="Roles")["createCase"]
    reader = keys["reader"]
    assert as_(app_client, reader, REOPEN, c=case["id"])["case"]["name"] == "Roles"
    assert as_(app_client, reader, LIST, first=1)["cases"]["__typename"] == "CaseConnection"
    for q, v in ((CREATE, {"name": "x"}), (ADD, {"c": case["id"], "a": [ADDR["A"]]}),
                 (REMOVE, {"c": case["id"], "ids": ["x"]})):
        got = next(iter(as_(app_client, reader, q, **v).values()))
        assert got["__typename"] == "PermissionDenied", got
        assert got["message"] == "this needs the analyst role; the key has reader"
    delete = """mutation($c: ID!) { deleteCase(id: $c) { __typename
                  ... on DeletedCase { id deletedItems } ... on PermissionDenied { message } } }"""
    as_(app_client, keys["analyst"], ADD, c=case["id"], a=[ADDR["A"]])
    assert as_(app_client, keys["analyst"], delete, c=case["id"])["deleteCase"][
        "__typename"] == "PermissionDenied"
    assert as_(app_client, keys["admin"], delete, c=case["id"])["deleteCase"] == {
        "__typename": "DeletedCase", "id": case["id"], "deletedItems": 1}
    assert as_(app_client, reader, REOPEN, c=case["id"])["case"]["__typename"] == (
        "NotFoundError")
    r = app_client.post("/graphql", json={"query": LIST, "variables": {"first": 1}},
                        headers={"Authorization": "Bearer ct_000000000000_" + "x" * 43})
    assert r.status_code == 401


ACCOUNT = "0x6b75d8af000000e20b7a7ddf000ba900b4009a80"
ACCOUNT_EIP55 = "0x6b75d8AF000000e20B7a7DDf000Ba900b4009A80"
TOKEN = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"


def test_an_ethereum_request_is_normalised_and_keeps_its_asset_and_window() -> None:
    req = TraceRequest.make("forward", {"start": ACCOUNT_EIP55, "asset": "eth",
                                        "from_block": 7, "until": 1_700_000_000,
                                        "max_hops": 2, "stop_at": ["mixer", "exchange"]})
    assert req.as_dict() == {
        "kind": "forward", "start": ACCOUNT, "max_hops": 2, "min_value": 0, "max_fanout": 100,
        "max_rows": 1000, "stop_at": ["exchange", "mixer"], "chain": "ethereum",
        "asset": "ETH", "from_block": 7, "to_block": None, "since": None,
        "until": 1_700_000_000}
    assert TraceRequest.from_json(req.to_json()) == req
    token = TraceRequest.make("backward", {"start": "0x" + "AB" * 32, "asset": TOKEN.upper()
                                           .replace("0X", "0x"), "chain": "ethereum"})
    assert (token.start, token.asset) == ("0x" + "ab" * 32, TOKEN)
    every = TraceRequest.make("paths", {"source": ACCOUNT, "target": TOKEN, "asset": "*"})
    assert (every.chain, every.asset, every.source, every.target) == (
        "ethereum", "*", ACCOUNT, TOKEN)
    # a Bitcoin request keeps the form it was saved in before Ethereum's fields existed
    btc = TraceRequest.make("forward", {"start": ADDR["A"]})
    assert "chain" not in btc.as_dict() and btc.chain == "bitcoin"


@pytest.mark.parametrize(("kind", "given", "error"), [
    ("forward", {"start": ADDR["A"], "asset": "ETH"}, "asset applies to Ethereum"),
    ("forward", {"start": ADDR["A"], "from_block": 1}, "from_block applies to Ethereum"),
    ("forward", {"start": ACCOUNT, "from_block": 9, "to_block": 8}, "from_block 9 is after"),
    ("forward", {"start": ACCOUNT, "asset": "WETH"}, "asset must be ETH"),
    ("paths", {"source": "0x" + "ab" * 32, "target": ACCOUNT}, "must be an Ethereum account"),
    ("paths", {"source": ACCOUNT, "target": "cluster:" + ACCOUNT}, "neither an Ethereum"),
    ("forward", {"start": "0x6b75d8AF000000e20B7a7DDf000Ba900b4009A8O"}, "neither"),
    ("forward", {"start": ACCOUNT_EIP55.replace("AF", "af")}, "EIP-55"),
])
def test_a_bad_ethereum_request_names_its_field(kind: str, given: dict[str, Any],
                                                error: str) -> None:
    with pytest.raises(ChaintrailError, match=error):
        TraceRequest.make(kind, given)
