"""Query cost, alias and token limits: an expensive query is refused before anything runs, with
its cost and the limit in a GraphQL validation error (HTTP 200, not masked); ordinary
queries (a trace with its graph at the default row cap), and GraphiQL's introspection, pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import get_introspection_query, parse, validate

from api.app import create_app
from api.schema.complexity import MAX_ALIASES, MAX_TOKENS, complexity_rule, query_cost
from api.schema.root import DEFAULT_MAX_COMPLEXITY, build_schema
from chaintrail.settings import Settings
from tests.api.conftest import gql
from tests.cypher.test_cluster import ADDR

SCHEMA = build_schema()._schema

MEMBERS = """{ cluster(address: "x") { ... on Cluster { id members {
  ... on MemberConnection { edges { node { address } } pageInfo { hasNextPage } } } } } }"""
# objects only: cluster 1 + members (1 + edges 50 x (1 + node 1) + pageInfo 1) = 103

NESTED = """query($as: [String!]!, $n: Int = 100) { addresses(addresses: $as) {
  ... on Address { address transactions(first: $n) {
    ... on AddressTransactionConnection { edges { node { txid received } } } } } } }"""
# per address: 1 + transactions (1 + edges n x (1 + node 1)); scalars are free


def cost(query: str, **variables: Any) -> int:
    return query_cost(SCHEMA, parse(query), variables)["anonymous"]


def test_each_object_costs_one_times_the_lists_it_is_in() -> None:
    assert cost("{ block(height: 1) { __typename ... on Block { hash height } } }") == 1
    assert cost(MEMBERS) == 103
    assert cost(MEMBERS.replace("members {", "members(first: 2) {")) == 7
    assert cost(NESTED, **{"as": ["a"] * 100}) == 100 * (2 + 100 * 2)
    assert cost(NESTED, **{"as": ["a"] * 3, "n": 5}) == 3 * (2 + 5 * 2)
    # a trace's rows and its graph's lists each hold up to maxRows items
    trace = """{ traceForward(start: "x", maxRows: 10) { ... on TraceResultType {
                 truncated rows { hop txid } graph { nodes { id } edges { source target } } } } }"""
    assert cost(trace) == 1 + 10 + 1 + 10 + 10
    rows = SCHEMA.query_type.fields["traceForward"].args["maxRows"].default_value
    assert cost(trace.replace(", maxRows: 10", "")) == 2 + 3 * rows <= DEFAULT_MAX_COMPLEXITY
    # fragments count where they are spread; introspection is free
    frag = """{ ...F } fragment F on Query { block(height: 1) { ... on Block { hash } } }"""
    assert cost(frag) == 1
    assert query_cost(SCHEMA, parse(get_introspection_query()), {}) == {"IntrospectionQuery": 0}


def test_the_rule_refuses_exactly_above_the_limit() -> None:
    doc = parse(MEMBERS)
    assert validate(SCHEMA, doc, [complexity_rule(103, {})]) == []
    errors = validate(SCHEMA, doc, [complexity_rule(102, {})])
    assert [e.message for e in errors] == [
        "query cost 103 is above the limit 102: ask for smaller pages (first), fewer rows or "
        "fewer nested lists"]


@pytest.fixture(scope="module")
def client(neo4j_settings: Settings, api_headers: dict[str, str]) -> Iterator[TestClient]:
    settings = neo4j_settings.model_copy(update={"api_max_complexity": 5_000})
    with TestClient(create_app(settings), headers=api_headers) as c:
        yield c


def errors_of(client: TestClient, query: str, **variables: Any) -> list[dict[str, Any]]:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body.get("data") is None, body
    return list(body["errors"])


@pytest.mark.neo4j
def test_an_expensive_nested_query_is_refused_with_its_cost(client: TestClient) -> None:
    addresses = sorted(ADDR.values()) * 2
    errors = errors_of(client, NESTED, **{"as": addresses})
    assert [e["message"] for e in errors] == [
        f"query cost {len(addresses) * (2 + 100 * 2)} is above the limit 5000: ask for "
        "smaller pages (first), fewer rows or fewer nested lists"]
    assert "path" not in errors[0]  # refused before any resolver ran
    # the same query with small pages passes, and runs
    data = gql(client, NESTED, **{"as": addresses[:2], "n": 2})
    assert len(data["addresses"]) == 2


@pytest.mark.neo4j
def test_a_normal_query_passes(client: TestClient) -> None:
    data = gql(client, MEMBERS.replace('"x"', f'"{ADDR["A"]}"'))
    assert set(data) == {"cluster"}
    trace = gql(client, """query($s: String!) { traceForward(start: $s) { __typename
      ... on TraceResultType { rows { hop txid fromAddress toAddress value } truncated
        graph { nodes { id kind label properties } edges { id source target kind value } } } } }""",
                s=ADDR["A"])
    assert set(trace) == {"traceForward"}
    schema = client.post("/graphql", json={"query": get_introspection_query()}).json()
    assert "errors" not in schema and schema["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.neo4j
def test_aliases_and_tokens_are_capped(client: TestClient) -> None:
    many = " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES + 1))
    assert [e["message"] for e in errors_of(client, "{ " + many + " }")] == [
        f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"]
    assert "errors" not in client.post("/graphql", json={"query": "{ " + " ".join(
        f"a{i}: __typename" for i in range(MAX_ALIASES)) + " }"}).json()
    long = "{ " + "__typename " * MAX_TOKENS + "}"
    r = client.post("/graphql", json={"query": long})
    assert r.status_code < 500
    assert [e["message"] for e in r.json()["errors"]] == [
        f"Syntax Error: Document contains more than {MAX_TOKENS} tokens. Parsing aborted."]
