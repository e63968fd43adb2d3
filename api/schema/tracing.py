"""Tracing: `traceForward`, `traceBackward`, `paths` and `clusterFlows`, each also as a graph
(`nodes`, `edges`) that Cytoscape.js, vis-network or Neo4j NVL load directly. The same step
logic as the CLI (analysis.trace, analysis.exposure), driven by the API's AsyncGraph. Taint
and exposure are in their own modules; they share the `Graph` type defined here."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from analysis.exposure import ClusterFlows, cluster_flows_steps
from analysis.steps import run_async
from analysis.trace import Direction, Trace, TraceLimits, paths_graph, paths_steps, trace_steps
from api.graph import cluster_flows_graph, vis_graph
from api.schema.errors import Problem, or_problem
from api.schema.scalars import Satoshi
from loaders.bitcoin.address import decode_address


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


@strawberry.type
class Graph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    @classmethod
    def of(cls, v: dict[str, list[dict[str, Any]]]) -> Graph:
        """From the visualiser form (api.graph)."""
        return cls(
            nodes=[GraphNode(id=n["id"], kind=n["kind"], label=n["label"],
                             properties=cast(JSON, n["properties"])) for n in v["nodes"]],
            edges=[GraphEdge(id=e["id"], source=e["source"], target=e["target"],
                             kind=e["kind"], value=e["value"], time=e["time"],
                             properties=cast(JSON, e["properties"])) for e in v["edges"]])


@strawberry.type
class TraceRow:
    hop: int
    txid: str
    height: int | None
    from_address: str | None
    to_address: str | None
    to_output: str
    value: Satoshi
    stopped: bool
    tags: JSON


@strawberry.type
class TraceResultType:
    start: str
    direction: str
    rows: list[TraceRow]
    truncated: bool
    truncation: list[str]
    graph: Graph


@strawberry.type
class MoneyPath:
    rank: int
    hops: int
    txids: list[str]
    addresses: list[str | None]
    bottleneck_value: Satoshi


@strawberry.type
class PathsResultType:
    paths: list[MoneyPath]
    notes: list[str]
    graph: Graph


TraceResult = Annotated[TraceResultType | Problem, strawberry.union("TraceResult")]
PathsResult = Annotated[PathsResultType | Problem, strawberry.union("PathsResult")]


def _graph(g: dict[str, Any]) -> Graph:
    return Graph.of(vis_graph(g))


def _trace_result(t: Trace) -> TraceResultType:
    return TraceResultType(
        start=t.start, direction=t.direction, truncated=bool(t.truncated),
        truncation=t.truncated, graph=_graph(t.as_graph()),
        rows=[TraceRow(hop=r["hop"], txid=r["txid"], height=r["height"],
                       from_address=r["from_address"], to_address=r["to_address"],
                       to_output=r["to_output"], value=r["value"], stopped=r["stopped"],
                       tags=r["to_tags"]) for r in t.rows])


async def _trace(info: strawberry.Info, direction: Direction, start: str, max_hops: int,
                 min_value: int, max_fanout: int, max_rows: int,
                 stop_at: list[str] | None) -> TraceResult:

    async def work() -> TraceResult:
        limits = TraceLimits(max_hops=max_hops, min_value=min_value, max_fanout=max_fanout,
                             max_rows=max_rows, stop_at_categories=tuple(stop_at or ()))
        t = await run_async(info.context.graph, trace_steps(start, direction, limits))
        return _trace_result(t)

    return await or_problem(work)


async def trace_forward(info: strawberry.Info, start: str, max_hops: int = 6,
                        min_value: int = 0, max_fanout: int = 100, max_rows: int = 1000,
                        stop_at: list[str] | None = None) -> TraceResult:
    """Where the money went from an address, a txid or 'txid:vout', hop by hop."""
    return await _trace(info, "forward", start, max_hops, min_value, max_fanout, max_rows,
                        stop_at)


async def trace_backward(info: strawberry.Info, start: str, max_hops: int = 6,
                         min_value: int = 0, max_fanout: int = 100, max_rows: int = 1000,
                         stop_at: list[str] | None = None) -> TraceResult:
    """Where the money came from, hop by hop back to its coinbases."""
    return await _trace(info, "backward", start, max_hops, min_value, max_fanout, max_rows,
                        stop_at)


async def paths(info: strawberry.Info, source: str, target: str, max_hops: int = 6,
                k: int = 3, include_super_nodes: bool = False) -> PathsResult:
    """The k shortest money paths between addresses or 'cluster:<id>'s."""

    async def work() -> PathsResult:
        result = await run_async(info.context.graph, paths_steps(
            source, target, max_hops=max_hops, k=k, include_super_nodes=include_super_nodes))
        return PathsResultType(
            paths=[MoneyPath(rank=p["rank"], hops=p["hops"], txids=p["txids"],
                             addresses=p["addresses"], bottleneck_value=p["bottleneck_value"])
                   for p in result["paths"]],
            notes=result["notes"], graph=_graph(paths_graph(result)))

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
