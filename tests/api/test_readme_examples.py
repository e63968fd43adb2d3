"""The README's GraphQL examples, run as written by a real GraphQL client (`gql` over httpx,
validating each document against the schema it fetched by introspection) against a real
`chaintrail serve` process, on real mainnet data: blocks 0-438 (block 170, the first payment
between people) and block 692261 with its prevouts and the OFAC tags of an address it spends
from.

Every ```graphql block of README.md runs without errors, every root field answers its data
type (not a typed error), and the answers equal the stored queries' (and the CLI's trace
logic's) for the same arguments, field by field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXTransport

from analysis.clustering import ClusterConfig
from analysis.trace import TraceLimits, paths, trace
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.tags.load import TagLoader
from tests.api.conftest import Served, serving
from tests.helpers import ROOT, wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared, pytest.mark.slow]

README = ROOT / "README.md"
BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXAMPLES = BLOCK.findall(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded(graph: Graph, shared_data: Path) -> Graph:
    wipe(graph)
    bitcoin = shared_data / "bitcoin"
    BitcoinLoader(graph, cluster_config=ClusterConfig()).load(
        [bitcoin / "blk/bitcoinj-blocks-0-438.dat"])
    BitcoinLoader(graph, cluster_config=ClusterConfig()).load(
        [bitcoin / "raw/0692261.raw"], height=692261,
        prevout_files=[bitcoin / "prevouts/0692261.jsonl"])
    labels = shared_data / "labels"
    TagLoader(graph).load([labels / "ofac-0xB10C/sanctioned_addresses_XBT.txt",
                           labels / "graphsense-tagpacks/packs/ofac.yaml"])
    return graph


@pytest.fixture(scope="module")
def api(loaded: Graph, cli_env: dict[str, str]) -> Iterator[Served]:
    with serving(cli_env) as served:
        yield served


def test_the_readme_has_graphql_examples() -> None:
    assert len(EXAMPLES) >= 5, "README.md's GraphQL section lost its examples"


@pytest.mark.parametrize("example", EXAMPLES,
                         ids=[f"example{i}" for i in range(1, len(EXAMPLES) + 1)])
def test_a_readme_example_answers_as_the_stored_queries(
        example: str, api: Served, loaded: Graph, api_headers: dict[str, str]) -> None:
    transport = HTTPXTransport(url=f"{api.url}/graphql", headers=api_headers, timeout=60)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        data = session.execute(gql(example))  # raises on any error, or an invalid document
    operation = graphql.parse(example).definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    checked = 0
    for node in operation.selection_set.selections:
        assert isinstance(node, graphql.FieldNode)
        field = node.name.value
        args = {a.name.value: graphql.value_from_ast_untyped(a.value) for a in node.arguments}
        got = data[node.alias.value if node.alias else field]
        check = CHECKS.get(field)
        assert check is not None, f"no check for the README's {field} example: add one"
        check(loaded, args, got)
        checked += 1
    assert checked


# Each check compares one root field's answer with what the stored queries (or the CLI's
# trace logic) answer for the same arguments; a field the example did not select is skipped.


def same(got: dict[str, Any], want: dict[str, Any], names: dict[str, str]) -> int:
    """Compare the selected GraphQL fields with their stored-query columns (satoshi arrive
    as strings); the number of fields compared."""
    n = 0
    for gql_name, column in names.items():
        if gql_name in got:
            value = want[column]
            expect = str(value) if isinstance(value, int) and isinstance(
                got[gql_name], str) else value
            assert got[gql_name] == expect, (gql_name, got[gql_name], value)
            n += 1
    return n


def check_block(g: Graph, args: dict[str, Any], got: dict[str, Any]) -> None:
    want = g.read("lookup/block", {"hash": args.get("hash"), "height": args.get("height")})
    assert len(want) == 1 and "hash" in got, got
    same(got, want[0], {"hash": "hash", "height": "height", "txCount": "tx_count",
                        "outputValue": "output_value", "feeTotal": "fee_total",
                        "status": "status", "prevHash": "prev_hash", "time": "time"})


def check_transaction(g: Graph, args: dict[str, Any], got: dict[str, Any]) -> None:
    [want] = g.read("lookup/transaction", {"txid": args["txid"]})
    assert same(got, want, {"txid": "txid", "blockHash": "block_hash", "height": "height",
                            "fee": "fee", "inputValue": "input_value",
                            "outputValue": "output_value", "isCoinbase": "is_coinbase"}), got
    for got_out, want_out in zip(got.get("outputs", []), want["outputs"], strict=True):
        same(got_out, want_out, {"n": "n", "address": "address", "value": "value",
                                 "scriptType": "script_type", "spentByTxid": "spent_by_txid"})
    for got_in, want_in in zip(got.get("inputs", []), want["inputs"], strict=True):
        same(got_in, want_in, {"prevTxid": "prev_txid", "vout": "vout", "address": "address",
                               "value": "value"})


def check_address(g: Graph, args: dict[str, Any], got: dict[str, Any]) -> None:
    [want] = g.read("lookup/address", {"address": args["address"]})
    assert "received" in got and "balance" in got, "show an address's totals"
    same(got, want, {"address": "address", "received": "received", "sent": "sent",
                     "balance": "balance", "outputCount": "output_count",
                     "firstHeight": "first_height", "lastHeight": "last_height",
                     "scriptType": "script_type"})
    if "cluster" in got:
        [cluster] = g.read("cluster/of_address", {"address": args["address"]})
        same(got["cluster"], cluster, {"id": "cluster_id", "size": "size"})
    if "tags" in got:
        own = [t for t in g.read("lookup/tags", {"address": args["address"]})
               if not t["inherited"]]
        assert got["tags"], "the README's address example should show tags"
        assert sorted(t.get("label") for t in got["tags"]) == sorted(t["label"] for t in own)


def check_cluster(g: Graph, args: dict[str, Any], got: dict[str, Any]) -> None:
    [want] = g.read("cluster/of_address", {"address": args["address"]})
    assert same(got, want, {"id": "cluster_id", "size": "size", "received": "received",
                            "sent": "sent"}), got
    members = got.get("members")
    if members is not None:
        edges = members["edges"]
        rows = g.read("cluster/members", {"cluster_id": want["cluster_id"], "skip": 0,
                                          "limit": len(edges)})
        assert [e["node"]["address"] for e in edges] == [r["address"] for r in rows]
        assert members["pageInfo"]["hasNextPage"] == (want["size"] > len(edges))


def check_trace(direction: str) -> Any:
    def check(g: Graph, args: dict[str, Any], got: dict[str, Any]) -> None:
        limits = TraceLimits(**{k: args[a] for a, k in (
            ("maxHops", "max_hops"), ("minValue", "min_value"), ("maxFanout", "max_fanout"),
            ("maxRows", "max_rows")) if a in args})
        want = trace(g, args["start"], direction, limits)  # type: ignore[arg-type]
        assert got["rows"], "the README's trace example should reach something"
        assert [(r["hop"], r["txid"], r["toAddress"], r["value"]) for r in got["rows"]] == [
            (r["hop"], r["txid"], r["to_address"], str(r["value"])) for r in want.rows]
        if "graph" in got:
            ids = {n["id"] for n in got["graph"]["nodes"]}
            assert args["start"] in ids
            assert all(e["source"] in ids and e["target"] in ids
                       for e in got["graph"]["edges"])
    return check


def check_paths(g: Graph, args: dict[str, Any], got: dict[str, Any]) -> None:
    want = paths(g, args["source"], args["target"], **{k: args[a] for a, k in (
        ("maxHops", "max_hops"), ("k", "k")) if a in args})
    assert got["paths"], "the README's paths example should find a path"
    assert [p["txids"] for p in got["paths"]] == [p["txids"] for p in want["paths"]]


HIT_KINDS = {"AddressHit": "address", "TransactionHit": "transaction", "BlockHit": "block",
             "TagHit": "tag"}


def check_search(g: Graph, args: dict[str, Any], got: dict[str, Any]) -> None:
    want = g.read("search/prefix", {"text": args["text"], "limit": args.get("limit", 10)})
    hits = got["hits"]
    assert hits, "the README's search example should find something"
    assert [hit_key(h) for h in hits] == [(r["kind"], r["id"], r["label"] if r["kind"] == "tag"
                                          else None) for r in want]


def hit_key(hit: dict[str, Any]) -> tuple[str, str, str | None]:
    """(kind, id, tag label) of a search hit, from its __typename or the fields selected."""
    kind = HIT_KINDS.get(hit.get("__typename", "")) or next(
        k for k, f in (("tag", "label"), ("transaction", "txid"), ("block", "hash"),
                       ("address", "address")) if f in hit)
    ident = hit.get("txid") or hit.get("hash") or hit["address"]
    return kind, ident, hit["label"] if kind == "tag" else None


CHECKS: dict[str, Any] = {
    "block": check_block, "transaction": check_transaction, "address": check_address,
    "cluster": check_cluster, "traceForward": check_trace("forward"),
    "traceBackward": check_trace("backward"), "paths": check_paths, "search": check_search,
}
