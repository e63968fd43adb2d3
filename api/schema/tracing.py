"""Tracing: `traceForward`, `traceBackward`, `paths` and `clusterFlows`, each also as a graph
(`nodes`, `edges`) that Cytoscape.js, vis-network or Neo4j NVL load directly. The same step
logic as the CLI (analysis.trace, analysis.exposure), driven by the API's AsyncGraph. Taint
and exposure are in their own modules; they share the `Graph` type and the Ethereum
arguments defined here.

Ethereum (`chain: ETHEREUM`, or a 0x start): time-respecting trails over accounts, one
`asset` ('ETH' by default, a token contract, or '*' for every asset), within a window of
blocks or times. Amounts: every `Satoshi` field has an `Amount` twin (`value` and `amount`,
`bottleneckValue` and `bottleneckAmount`, ...): the twin carries the exact amount on both
chains (satoshi on Bitcoin, wei or token base units on Ethereum), the `Satoshi` field is
null on Ethereum. Ethereum accounts are shown with their EIP-55 checksum case."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from analysis.accounts import Window, asset_label, infer_chain
from analysis.exposure import ClusterFlows, cluster_flows_steps
from analysis.steps import run_async
from analysis.trace import (
    Direction,
    Trace,
    TraceLimits,
    paths_graph,
    paths_steps,
    trace_steps,
)
from api.graph import cluster_flows_graph, vis_graph
from api.schema.errors import Problem, or_problem
from api.schema.scalars import Amount, Chain, Satoshi
from chaintrail.errors import ParameterError
from loaders.bitcoin.address import decode_address
from loaders.endpoints import check_path_ends, check_start
from loaders.ethereum.address import displayed


@strawberry.input(description="Ethereum: only transfers in these blocks and at these times "
                              "(unix seconds), each bound inclusive and optional.")
class WindowInput:
    from_block: int | None = None
    to_block: int | None = None
    since: int | None = None
    until: int | None = None

    def window(self) -> Window:
        return Window(self.from_block, self.to_block, self.since, self.until)


def window_of(w: WindowInput | None) -> Window | None:
    return None if w is None else w.window()


def asked(chain: Chain | None) -> str | None:
    """The chain asked for, by name (None: not asked; loaders.endpoints infers it)."""
    return None if chain is None else chain.value


NO_MINIMUM = Satoshi(0)


def min_of(min_value: int, min_amount: int | None) -> int:
    """`minAmount` (any size: wei) when given, else `minValue` (satoshi: a Satoshi, any
    size, not a 32-bit GraphQL Int, which stopped at 21.47 BTC)."""
    if min_amount is not None and min_amount < 0:
        raise ParameterError(f"minAmount must not be negative, not {min_amount}")
    return min_value if min_amount is None else min_amount


@strawberry.type
class GraphNode:
    id: str
    kind: str
    label: str
    properties: JSON


@strawberry.type
class GraphEdge:
    id: str
    source: str
    target: str
    kind: str
    value: Satoshi | None
    time: int | None
    properties: JSON
    amount: Amount | None = strawberry.field(
        default=None, description="The edge's exact amount on either chain (satoshi, wei, "
                                  "token units); `value` is null on Ethereum.")
    asset: str | None = strawberry.field(
        default=None, description="Ethereum: the edge's asset (ETH or a token contract).")


@strawberry.type
class Graph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    @classmethod
    def of(cls, v: dict[str, list[dict[str, Any]]]) -> Graph:
        """From the visualiser form (api.graph). An Ethereum edge (one with an `asset`
        property) carries its amount in `amount` only."""
        edges = []
        for e in v["edges"]:
            asset = e["properties"].get("asset")
            eth = "asset" in e["properties"]
            amount = None if e["value"] is None else int(e["value"])
            edges.append(GraphEdge(
                id=e["id"], source=e["source"], target=e["target"], kind=e["kind"],
                value=None if eth else e["value"], time=e["time"],
                properties=cast(JSON, e["properties"]),
                amount=None if amount is None else Amount(amount), asset=asset))
        return cls(
            nodes=[GraphNode(id=n["id"], kind=n["kind"], label=n["label"],
                             properties=cast(JSON, n["properties"])) for n in v["nodes"]],
            edges=edges)


@strawberry.type
class TraceRow:
    hop: int
    txid: str | None = strawberry.field(
        description="The transaction (Ethereum: its hash; null for a block reward or "
                    "withdrawal).")
    height: int | None
    from_address: str | None
    to_address: str | None
    to_output: str = strawberry.field(
        description="The output reached, 'txid:n' (Ethereum: the transfer's id).")
    value: Satoshi | None = strawberry.field(
        description="The output's value in satoshi; null on Ethereum (see `amount`).")
    stopped: bool
    tags: JSON
    amount: Amount = strawberry.field(
        description="The exact amount on either chain: satoshi, wei, or token base units.")
    asset: str | None = strawberry.field(
        description="Ethereum: ETH or the token contract; null on Bitcoin.")
    kind: str | None = strawberry.field(
        description="Ethereum: native, internal, erc20, reward, withdrawal or genesis.")
    time: int | None = strawberry.field(description="Unix seconds.")


@strawberry.type
class TraceResultType:
    start: str
    direction: str
    rows: list[TraceRow]
    truncated: bool
    truncation: list[str]
    graph: Graph
    chain: Chain
    asset: str | None = strawberry.field(
        description="Ethereum: the asset followed (ETH, a token contract, '*' for every "
                    "asset); null on Bitcoin.")


@strawberry.type
class MoneyPath:
    rank: int
    hops: int
    txids: list[str | None]
    addresses: list[str | None]
    bottleneck_value: Satoshi | None = strawberry.field(
        description="The smallest output on the path (satoshi); null on Ethereum.")
    bottleneck_amount: Amount | None = strawberry.field(
        description="The smallest amount on the path, either chain; null when an Ethereum "
                    "path changes asset.")
    outputs: list[str] = strawberry.field(
        description="The path's outputs ('txid:n'; Ethereum: its transfers' ids).")
    asset: str | None = strawberry.field(
        description="Ethereum: the path's asset (null when it changes asset).")


@strawberry.type
class PathsResultType:
    paths: list[MoneyPath]
    notes: list[str]
    graph: Graph
    chain: Chain


TraceResult = Annotated[TraceResultType | Problem, strawberry.union("TraceResult")]
PathsResult = Annotated[PathsResultType | Problem, strawberry.union("PathsResult")]


def _graph(g: dict[str, Any]) -> Graph:
    return Graph.of(vis_graph(g))


def _trace_result(t: Trace) -> TraceResultType:
    eth = t.chain == "ethereum"
    return TraceResultType(
        start=displayed(t.start), direction=t.direction, truncated=bool(t.truncated),
        truncation=displayed(t.truncated), graph=_graph(displayed(t.as_graph())),
        chain=Chain(t.chain), asset=displayed(asset_label(t.asset)) if eth else None,
        rows=[TraceRow(hop=r["hop"], txid=r["txid"], height=r["height"],
                       from_address=displayed(r["from_address"]),
                       to_address=displayed(r["to_address"]), to_output=r["to_output"],
                       value=None if eth else r["value"], amount=Amount(int(r["value"])),
                       stopped=r["stopped"], tags=r["to_tags"], asset=displayed(r.get("asset")),
                       kind=r.get("kind"), time=r["time"]) for r in t.rows])


async def _trace(info: strawberry.Info, direction: Direction, start: str, max_hops: int,
                 min_value: int, max_fanout: int, max_rows: int, stop_at: list[str] | None,
                 chain: Chain | None, asset: str | None, min_amount: int | None,
                 window: WindowInput | None) -> TraceResult:

    async def work() -> TraceResult:
        limits = TraceLimits(max_hops=max_hops, min_value=min_of(min_value, min_amount),
                             max_fanout=max_fanout, max_rows=max_rows,
                             stop_at_categories=tuple(stop_at or ()))
        c = check_start(start, asked(chain))  # before any query
        t = await run_async(info.context.graph, trace_steps(
            start, direction, limits, chain=c, asset=asset, window=window_of(window)))
        return _trace_result(t)

    return await or_problem(work)


ChainArg = Annotated[Chain | None, strawberry.argument(
    description="BITCOIN or ETHEREUM; by default ETHEREUM for a 0x start, else BITCOIN.")]
AssetArg = Annotated[str | None, strawberry.argument(
    description="Ethereum: ETH (the default; a transfer's own asset for a transfer id), a "
                "token contract address, or '*' for every asset.")]
MinAmountArg = Annotated[Amount | None, strawberry.argument(
    description="An exact minimum in the asset's base unit (any size: wei); overrides "
                "minValue.")]
WindowArg = Annotated[WindowInput | None, strawberry.argument(
    description="Ethereum: only transfers in these blocks and times.")]


async def trace_forward(info: strawberry.Info, start: str, max_hops: int = 6,
                        min_value: Satoshi = NO_MINIMUM, max_fanout: int = 100,
                        max_rows: int = 1000,
                        stop_at: list[str] | None = None, chain: ChainArg = None,
                        asset: AssetArg = None, min_amount: MinAmountArg = None,
                        window: WindowArg = None) -> TraceResult:
    """Where the money went from an address, a txid or 'txid:vout', hop by hop (Ethereum:
    from an account, a transaction hash or a transfer id, time-respecting)."""
    return await _trace(info, "forward", start, max_hops, min_value, max_fanout, max_rows,
                        stop_at, chain, asset, min_amount, window)


async def trace_backward(info: strawberry.Info, start: str, max_hops: int = 6,
                         min_value: Satoshi = NO_MINIMUM, max_fanout: int = 100,
                         max_rows: int = 1000,
                         stop_at: list[str] | None = None, chain: ChainArg = None,
                         asset: AssetArg = None, min_amount: MinAmountArg = None,
                         window: WindowArg = None) -> TraceResult:
    """Where the money came from, hop by hop back to its coinbases (Ethereum: to the
    protocol's issuance, time-respecting)."""
    return await _trace(info, "backward", start, max_hops, min_value, max_fanout, max_rows,
                        stop_at, chain, asset, min_amount, window)


async def paths(info: strawberry.Info, source: str, target: str, max_hops: int = 6,
                k: int = 3, include_super_nodes: bool = False, chain: ChainArg = None,
                asset: AssetArg = None, min_amount: MinAmountArg = None,
                window: WindowArg = None) -> PathsResult:
    """The k shortest money paths between addresses or 'cluster:<id>'s (Ethereum: between
    two accounts, time-respecting)."""

    async def work() -> PathsResult:
        c = check_path_ends(source, target, asked(chain))
        result = await run_async(info.context.graph, paths_steps(
            source, target, max_hops=max_hops, k=k, include_super_nodes=include_super_nodes,
            min_value=min_of(0, min_amount), chain=c, asset=asset, window=window_of(window)))
        eth = c == "ethereum"
        return PathsResultType(
            paths=[MoneyPath(rank=p["rank"], hops=p["hops"], txids=p["txids"],
                             addresses=displayed(p["addresses"]),
                             bottleneck_value=None if eth else p["bottleneck_value"],
                             bottleneck_amount=None if p["bottleneck_value"] is None else
                             Amount(int(p["bottleneck_value"])), outputs=p["outputs"],
                             asset=displayed(p.get("asset")))
                   for p in result["paths"]],
            notes=result["notes"], graph=_graph(displayed(paths_graph(result))),
            chain=Chain(c))

    return await or_problem(work)


@strawberry.enum
class FlowDirection(Enum):
    OUT = "out"
    IN = "in"


@strawberry.type
class ClusterFlowRow:
    hop: int
    from_cluster: str
    to_cluster: str
    value: Satoshi
    tx_count: int


@strawberry.type
class ClusterFlowsResultType:
    cluster_id: str
    direction: FlowDirection
    max_hops: int
    rows: list[ClusterFlowRow]
    truncated: bool
    truncation: list[str]
    flows: strawberry.Private[ClusterFlows]

    @strawberry.field(description="Clusters as nodes, one `flow` edge per pair of clusters.")
    def graph(self) -> Graph:
        return Graph.of(cluster_flows_graph(self.flows))


ClusterFlowsResult = Annotated[ClusterFlowsResultType | Problem,
                               strawberry.union("ClusterFlowsResult")]


async def cluster_flows(info: strawberry.Info, cluster_id: str,
                        direction: FlowDirection = FlowDirection.OUT,
                        max_hops: int = 2) -> ClusterFlowsResult:
    """Value between clusters, hop by hop, from a cluster (its id, with or without
    'cluster:'): where its outputs went (OUT) or where what it received came from (IN)."""

    async def work() -> ClusterFlowsResult:
        cid = cluster_id.removeprefix("cluster:")
        if infer_chain(cid) == "ethereum":
            raise ParameterError("cluster flows are Bitcoin only: Ethereum accounts are not "
                                 "clustered (traceForward or exposure follow an account)")
        decode_address(cid)  # InvalidAddress, before any query (as the CLI)
        f = await run_async(info.context.graph, cluster_flows_steps(
            cid, "out" if direction is FlowDirection.OUT else "in", max_hops))
        return ClusterFlowsResultType(
            cluster_id=f.cluster_id, direction=direction, max_hops=f.max_hops,
            rows=[ClusterFlowRow(hop=r["hop"], from_cluster=r["from_cluster"],
                                 to_cluster=r["to_cluster"], value=r["value"],
                                 tx_count=r["tx_count"]) for r in f.rows],
            truncated=bool(f.truncated), truncation=f.truncated, flows=f)

    return await or_problem(work)


@strawberry.type
class Query:
    trace_forward: TraceResult = strawberry.field(resolver=trace_forward)
    trace_backward: TraceResult = strawberry.field(resolver=trace_backward)
    paths: PathsResult = strawberry.field(resolver=paths)
    cluster_flows: ClusterFlowsResult = strawberry.field(resolver=cluster_flows)
