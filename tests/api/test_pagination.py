"""Cursor pagination through the API: every list pages through its whole stored-query answer
with no duplicate and no gap; page sizes are capped (LimitExceeded); a forged cursor, or one
of another list, is InvalidInput.

The small chain (hand-built, mainnet scripts, made-up hashes):

    g (height 0):  coinbase pays 1 BTC to each of P1..P30
    b1 (height 1): coinbase -> Q; m spends P1..P12 -> Q (one 12-address cluster);
                   t13..t30 each spend P_i -> 0.6 BTC to Q, the rest back to P_i
    b2 (height 2): coinbase -> Q; s spends five of Q's outputs -> R

so Q has 22 transactions, b1 has 20 and the cluster of P1 12 members. Block 277647 of
mainnet (213 transactions) with its prevouts is the real-data case.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analysis.clustering import ClusterConfig, Clusterer
from api.app import create_app
from chaintrail.settings import Settings
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.model import Block
from tests.api.conftest import gql
from tests.handbuilt import block, hx, p2pkh, pkh, tx
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

BTC = 100_000_000
P = {i: pkh(i) for i in range(1, 31)}
Q, R = pkh(100), pkh(101)
CB, C1, M, C2, S = hx("c0"), hx("c1"), hx("aa"), hx("c2"), hx("5e")
G, B1, B2 = hx("01"), hx("02"), hx("03")


def spender(i: int) -> str:
    return f"{i:02x}" * 32


def chain() -> list[Block]:
    cb = tx(CB, [], [(BTC, P[i]) for i in range(1, 31)])
    pays = [tx(spender(i), [(CB, i - 1)], [(6 * BTC // 10, Q), (3 * BTC // 10, P[i])])
            for i in range(13, 31)]
    return [
        block(G, "0" * 64, [cb]),
        block(B1, G, [tx(C1, [], [(50 * BTC, Q)]),
                      tx(M, [(CB, i - 1) for i in range(1, 13)], [(11 * BTC, Q)]), *pays]),
        block(B2, B1, [tx(C2, [], [(50 * BTC, Q)]),
                       tx(S, [(spender(i), 0) for i in range(13, 18)], [(2 * BTC, R)])]),
    ]


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    return graph


@pytest.fixture(scope="module")
def client(small: Graph, neo4j_settings: Settings,
           api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        yield c


MEMBERS_Q = """query($a: String!, $first: Int!, $after: String) { cluster(address: $a) {
  ... on Cluster { members(first: $first, after: $after) { __typename
    ... on MemberConnection { totalCount edges { cursor node { address scriptType received
                              sent } }
                              pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
    ... on LimitExceeded { message } ... on InvalidInput { message } } } } }"""

ADDRESS_TX_Q = """query($a: String!, $first: Int!, $after: String) { address(address: $a) {
  ... on Address { transactions(first: $first, after: $after) { __typename
    ... on AddressTransactionConnection { totalCount edges { cursor node { txid height time
                                          blockHash index received sent net } }
                              pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
    ... on LimitExceeded { message } ... on InvalidInput { message } } } } }"""

BLOCK_TX_Q = """query($h: String!, $first: Int!, $after: String) { block(hash: $h) {
  ... on Block { transactions(first: $first, after: $after) { __typename
    ... on BlockTransactionConnection { totalCount edges { cursor node { index txid isCoinbase
            inputCount outputCount inputValue outputValue fee size vsize weight stale } }
                              pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
    ... on LimitExceeded { message } ... on InvalidInput { message } } } } }"""


def members(client: TestClient, address: str, first: int,
            after: str | None = None) -> dict[str, Any]:
    return dict(gql(client, MEMBERS_Q, a=address, first=first, after=after)["cluster"]["members"])


def address_txs(client: TestClient, address: str, first: int,
                after: str | None = None) -> dict[str, Any]:
    return dict(gql(client, ADDRESS_TX_Q, a=address, first=first,
                    after=after)["address"]["transactions"])


def block_txs(client: TestClient, h: str, first: int,
              after: str | None = None) -> dict[str, Any]:
    return dict(gql(client, BLOCK_TX_Q, h=h, first=first, after=after)["block"]["transactions"])


Page = Callable[[TestClient, str, int, str | None], dict[str, Any]]


def walk(client: TestClient, page: Page, key: str, first: int) -> list[dict[str, Any]]:
    """Every node of a list, following endCursor page by page; checks each page's shape."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        conn = page(client, key, first, after)
        assert conn["__typename"].endswith("Connection"), conn
        edges, info = conn["edges"], conn["pageInfo"]
        assert len(edges) <= first
        assert info["hasPreviousPage"] is (after is not None)
        assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
        assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
        nodes += [e["node"] for e in edges]
        if not info["hasNextPage"]:
            assert conn["totalCount"] in (None, len(nodes))
            return nodes
        assert len(edges) == first
        after = info["endCursor"]


def as_api(row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A stored query's row in the API's terms: camelCase names, Satoshi as strings."""
    sat = {"received", "sent", "input_value", "output_value", "fee"}
    return {api: (str(row[col]) if col in sat and row[col] is not None else row[col])
            for col, api in names.items()}


MEMBER_COLS = {"address": "address", "script_type": "scriptType", "received": "received",
               "sent": "sent"}
ADDRESS_TX_COLS = {"txid": "txid", "height": "height", "time": "time",
                   "block_hash": "blockHash", "index": "index", "received": "received",
                   "sent": "sent"}
BLOCK_TX_COLS = {"index": "index", "txid": "txid", "is_coinbase": "isCoinbase",
                 "input_count": "inputCount", "output_count": "outputCount",
                 "input_value": "inputValue", "output_value": "outputValue", "fee": "fee",
                 "size": "size", "vsize": "vsize", "weight": "weight", "stale": "stale"}


@pytest.mark.parametrize("first", [1, 5, 12, 100])
def test_members_page_through_the_whole_cluster(client: TestClient, small: Graph,
                                                first: int) -> None:
    cluster_id = min(p2pkh(P[i]) for i in range(1, 13))
    want = small.read("cluster/members", {"cluster_id": cluster_id, "limit": 1000})
    assert len(want) == 12
    got = walk(client, members, p2pkh(P[7]), first)
    assert got == [as_api(r, MEMBER_COLS) for r in want]


@pytest.mark.parametrize("first", [1, 3, 7, 22, 50])
def test_address_transactions_page_through_the_whole_list(client: TestClient, small: Graph,
                                                          first: int) -> None:
    want = small.read("lookup/address_transactions", {"address": p2pkh(Q), "limit": 1000})
    got = walk(client, address_txs, p2pkh(Q), first)
    assert len(got) == len({n["txid"] for n in got}) == 22
    assert [{k: v for k, v in n.items() if k != "net"} for n in got] == [
        as_api(r, ADDRESS_TX_COLS) for r in want]
    assert [n["txid"] for n in got] == [C1, M, *(spender(i) for i in range(13, 31)), C2, S]
    assert [int(n["net"]) for n in got] == [int(n["received"]) - int(n["sent"]) for n in got]
    whole = small.read("lookup/address", {"address": p2pkh(Q)})[0]
    assert sum(int(n["received"]) for n in got) == whole["received"]
    assert sum(int(n["sent"]) for n in got) == whole["sent"] == 5 * 6 * BTC // 10


@pytest.mark.parametrize("first", [1, 7, 20])
def test_block_transactions_page_through_the_whole_block(client: TestClient, small: Graph,
                                                         first: int) -> None:
    want = small.read("lookup/block_transactions", {"hash": B1, "limit": 1000})
    got = walk(client, block_txs, B1, first)
    assert [n["index"] for n in got] == list(range(20))
    assert got == [as_api(r, BLOCK_TX_COLS) for r in want]
    assert block_txs(client, B1, 5)["totalCount"] == 20


def test_page_size_is_capped(client: TestClient) -> None:
    for first in (101, 0, -1):
        for conn in (members(client, p2pkh(P[1]), first), address_txs(client, p2pkh(Q), first),
                     block_txs(client, B1, first)):
            assert conn == {"__typename": "LimitExceeded",
                            "message": f"first must be between 1 and 100, not {first}"}
    assert members(client, p2pkh(P[1]), 100)["__typename"] == "MemberConnection"


def test_forged_or_other_list_cursors_are_invalid_input(client: TestClient) -> None:
    member_cursor = members(client, p2pkh(P[1]), 2)["pageInfo"]["endCursor"]
    tx_cursor = address_txs(client, p2pkh(Q), 2)["pageInfo"]["endCursor"]
    block_cursor = block_txs(client, B1, 2)["pageInfo"]["endCursor"]
    forged = [
        "not a cursor", "", "%%%", base64.urlsafe_b64encode(b"\xff\xfe:1").decode(),
        base64.urlsafe_b64encode(f"members:{p2pkh(P[1])}:-1".encode()).decode(),
        base64.urlsafe_b64encode(f"members:{p2pkh(P[1])}:x".encode()).decode(),
        base64.urlsafe_b64encode(  # an offset beyond 64 bits
            f"members:{p2pkh(P[1])}:9223372036854775807".encode()).decode(),
    ]
    for after in [tx_cursor, block_cursor, *forged]:
        got = members(client, p2pkh(P[1]), 2, after)
        assert got["__typename"] == "InvalidInput", (after, got)
        assert got["message"].startswith("after: not a cursor of this list"), got
    for after in (member_cursor, block_cursor):
        assert address_txs(client, p2pkh(Q), 2, after)["__typename"] == "InvalidInput"
    # a cursor of the same kind of list, but of another block or another address's list
    assert block_txs(client, B2, 2, block_cursor)["__typename"] == "InvalidInput"
    assert address_txs(client, p2pkh(R), 2, tx_cursor)["__typename"] == "InvalidInput"
    # Q is its own one-address cluster: the big cluster's member cursor is not its list's
    assert members(client, p2pkh(Q), 2, member_cursor)["__typename"] == "InvalidInput"
    # a well-formed cursor past the end is an empty last page, not an error
    past = base64.urlsafe_b64encode(f"block-transactions:{B1}:99".encode()).decode()
    assert block_txs(client, B1, 5, past)["edges"] == []


def test_explain_steps_page_through_the_chain_of_evidence(client: TestClient,
                                                          small: Graph) -> None:
    q = """query($a: String!, $b: String!, $first: Int!, $after: String) { explain(a: $a, b: $b) {
      ... on Explanation { steps(first: $first, after: $after) { __typename
        ... on EvidenceStepConnection { totalCount edges { cursor node { step txid heuristic
                  version addressFrom addressTo } }
                  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } } }"""
    a, b = p2pkh(P[1]), p2pkh(P[12])
    want = small.read("cluster/explain", {"a": a, "b": b})
    assert want, "P1 and P12 are one entity"

    def page(c: TestClient, _key: str, first: int, after: str | None) -> dict[str, Any]:
        return dict(gql(c, q, a=a, b=b, first=first, after=after)["explain"]["steps"])

    got = walk(client, page, "", 1)
    assert got == [{"step": r["step"], "txid": r["txid"], "heuristic": r["heuristic"],
                    "version": r["version"], "addressFrom": r["address_from"],
                    "addressTo": r["address_to"]} for r in want]
    assert page(client, "", 50, None)["totalCount"] == len(want)


@pytest.fixture(scope="module")
def real(graph: Graph, shared_data: Path) -> Iterator[Graph]:
    wipe(graph)
    bitcoin = shared_data / "bitcoin"
    BitcoinLoader(graph, cluster_config=ClusterConfig()).load(
        [bitcoin / "blk/btcd-277647.dat.bz2"],
        prevout_files=[bitcoin / "prevouts/0277647.jsonl"])
    yield graph
    wipe(graph)


REAL_BLOCK = "0000000000000000054a714e580b16c583701712ab91060e92dbde6eb1e052a8"


@pytest.mark.shared
@pytest.mark.slow
def test_real_block_and_its_busiest_address_page_through(
        real: Graph, neo4j_settings: Settings, api_headers: dict[str, str]) -> None:
    with TestClient(create_app(neo4j_settings), headers=api_headers) as c:
        want = real.read("lookup/block_transactions", {"hash": REAL_BLOCK, "limit": 1000})
        got = walk(c, block_txs, REAL_BLOCK, 100)
        assert len(got) == 213 and got == [as_api(r, BLOCK_TX_COLS) for r in want]
        busiest = real.read("cluster/largest", {"limit": 1})[0]
        got_members = walk(c, members, busiest["cluster_id"], 7)
        assert len(got_members) == busiest["size"]
        assert got_members == [as_api(r, MEMBER_COLS) for r in real.read(
            "cluster/members", {"cluster_id": busiest["cluster_id"], "limit": 100_000})]
        # the address paid most often in the block (outputs created there and prevouts)
        with real.driver.session(database=real.database) as s:
            addr = s.run("MATCH (a:Address)<-[:LOCKED_TO]-(o:Output) "
                         "RETURN a.address AS a, count(DISTINCT o.txid) AS n "
                         "ORDER BY n DESC, a LIMIT 1").single()
        assert addr is not None and addr["n"] > 2
        txs = walk(c, address_txs, addr["a"], 2)
        whole = real.read("lookup/address", {"address": addr["a"]})[0]
        assert len(txs) == whole["tx_count"]
        assert sum(int(n["received"]) for n in txs) == whole["received"]
        assert sum(int(n["sent"]) for n in txs) == whole["sent"]
        assert txs == [{**as_api(r, ADDRESS_TX_COLS), "net": str(r["received"] - r["sent"])}
                       for r in real.read("lookup/address_transactions",
                                          {"address": addr["a"], "limit": 1000})]
