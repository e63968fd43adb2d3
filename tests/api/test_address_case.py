"""The API takes a bech32 address written all in upper case (BIP173) as the address the graph
stores: before, `address` said "no address" and cluster flows kept the upper-case id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from chaintrail.settings import Settings
from cypher.runner import Graph
from tests.analysis.test_address_case import W, Z, segwit
from tests.api.conftest import gql

pytestmark = pytest.mark.neo4j
__all__ = ["segwit"]  # the fixture


@pytest.fixture(scope="module")
def client(segwit: Graph, neo4j_settings: Settings,
           api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


def test_upper_case_bech32(client: TestClient) -> None:
    q = 'query($a: String!) { address(address: $a) { __typename ... on Address { address } } }'
    assert gql(client, q, a=W.upper())["address"] == {"__typename": "Address", "address": W}
    q = ('query($c: String!) { clusterFlows(clusterId: $c, direction: OUT, maxHops: 1) { '
         '__typename ... on ClusterFlowsResultType { clusterId rows { toCluster value } } } }')
    flows = gql(client, q, c=W.upper())["clusterFlows"]
    assert flows == gql(client, q, c=W)["clusterFlows"] and flows["clusterId"] == W
    assert flows["rows"]
    q = ('query($a: String!, $b: String!) { paths(source: $a, target: $b) { __typename '
         '... on PathsResultType { paths { txids } } } }')
    got = gql(client, q, a=W.upper(), b=Z.upper())["paths"]
    assert got == gql(client, q, a=W, b=Z)["paths"] and got["paths"]
