"""Clusters (entities): `cluster(address)` with its members a page at a time,
`explain(a, b)` (the chain of evidence, a page at a time), and `clusterStats` (the clustering
at a glance, with the largest clusters)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from api.schema.errors import NotFoundError, Problem, or_problem
from api.schema.pagination import (
    DEFAULT_PAGE,
    MAX_PAGE,
    Connection,
    list_page,
    page_window,
    read_page,
)
from api.schema.scalars import Satoshi
from chaintrail.errors import LimitError
from cypher.registry import normal_address
from loaders.bitcoin.address import decode_address


@strawberry.type
class Member:
    address: str
    script_type: str | None
    received: Satoshi
    sent: Satoshi


@strawberry.type
class EvidenceStep:
    step: int
    txid: str
    heuristic: str
    version: int
    address_from: str
    address_to: str


MembersResult = Annotated[Connection[Member] | Problem, strawberry.union("MembersResult")]
EvidenceResult = Annotated[Connection[EvidenceStep] | Problem,
                           strawberry.union("EvidenceResult")]


@strawberry.type
class Cluster:
    id: str
    size: int
    received: Satoshi
    sent: Satoshi
    first_height: int | None
    last_height: int | None
    coinjoin_links_skipped: int

    @strawberry.field(description="The member addresses in address order, a page at a time.")
    async def members(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                      after: str | None = None) -> MembersResult:
        name = f"members:{self.id}"

        async def work() -> Connection[Member]:
            return await read_page(
                name, first, after,
                lambda skip, limit: info.context.graph.read("cluster/members", {
                    "cluster_id": self.id, "skip": skip, "limit": limit}),
                lambda r: Member(address=r["address"], script_type=r["script_type"],
                                 received=r["received"], sent=r["sent"]),
                total=self.size)

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Cluster:
        return cls(id=r["cluster_id"], size=r["size"], received=r["received"], sent=r["sent"],
                   first_height=r["first_height"], last_height=r["last_height"],
                   coinjoin_links_skipped=r["coinjoin_links_skipped"])


ClusterResult = Annotated[Cluster | Problem, strawberry.union("ClusterResult")]


async def cluster(info: strawberry.Info, address: str) -> ClusterResult:
    """The cluster of any of its addresses (its id is its smallest address)."""

    async def work() -> ClusterResult:
        decode_address(address)  # InvalidAddress, before any query
        rows = await info.context.graph.read("cluster/of_address", {"address": address})
        if not rows:
            return NotFoundError(message=f"no address {address} in the graph")
        return Cluster.from_row(rows[0])

    return await or_problem(work)


@strawberry.type
class Explanation:
    a: str
    b: str

    @strawberry.field(description="A shortest chain of evidence from a to b, a page at a "
                                  "time (none: they are not one entity). totalCount is its "
                                  "length.")
    async def steps(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                    after: str | None = None) -> EvidenceResult:
        name = f"explain:{self.a}:{self.b}"

        async def work() -> Connection[EvidenceStep]:
            # the stored query finds the whole path (at most 10,000 steps) in one search;
            # a page is a slice of it, the same path on every page while the graph stays put
            page_window(name, first, after)  # a bad window costs no search
            rows = await info.context.graph.read("cluster/explain", {"a": self.a, "b": self.b})
            return list_page(name, first, after, rows, lambda r: EvidenceStep(**r))

        return await or_problem(work)


ExplainResult = Annotated[Explanation | Problem, strawberry.union("ExplainResult")]


async def explain(info: strawberry.Info, a: str, b: str) -> ExplainResult:
    """Why two addresses are one entity: their chain of evidence (`steps`)."""

    async def work() -> ExplainResult:
        decode_address(a)  # InvalidAddress, before any query
        decode_address(b)
        # "not one entity" only for two addresses the graph has (the address loader: one
        # query for both, as the `address` field finds them)
        ends = normal_address(a), normal_address(b)
        found = await asyncio.gather(*(info.context.loaders.address.load(x) for x in ends))
        for x, row in zip((a, b), found, strict=True):  # named as the caller gave it
            if row is None:
                return NotFoundError(message=f"no address {x} in the graph")
        return Explanation(a=ends[0], b=ends[1])

    return await or_problem(work)


@strawberry.type
class ClusteringConfig:
    """The configuration that produced the clusters (stored with them)."""

    coinjoin_filter: bool | None
    change_heuristics: list[str]
    heuristics: list[str]


@strawberry.type
class LargeCluster:
    id: str
    size: int
    top_merge_txid: str | None
    top_merge_addresses: int | None


@strawberry.type
class ClusterStats:
    clusters: int
    clustered_addresses: int
    largest: int
    singletons: int
    config: ClusteringConfig | None


ClusterStatsResult = Annotated[ClusterStats | Problem, strawberry.union("ClusterStatsResult")]


async def cluster_stats(info: strawberry.Info) -> ClusterStatsResult:
    """The clustering at a glance: clusters (one-address clusters included), addresses in
    them, the largest size, and the configuration (cluster/stats; it scans every address)."""

    async def work() -> ClusterStatsResult:
        r = (await info.context.graph.read("cluster/stats", {}))[0]
        cfg = r["config"]
        return ClusterStats(
            clusters=r["clusters"], clustered_addresses=r["clustered_addresses"],
            largest=r["largest"], singletons=r["singletons"],
            config=None if cfg is None else ClusteringConfig(
                coinjoin_filter=cfg["coinjoin_filter"],
                change_heuristics=list(cfg["change_heuristics"] or []),
                heuristics=list(cfg["heuristics"] or [])))

    return await or_problem(work)


@strawberry.type
class LargestClusters:
    clusters: list[LargeCluster]


LargestClustersResult = Annotated[LargestClusters | Problem,
                                  strawberry.union("LargestClustersResult")]


async def largest_clusters(info: strawberry.Info, first: int = 10) -> LargestClustersResult:
    """The biggest clusters, largest first, with the transaction that linked the most
    addresses into each: a wrong merge (a missed CoinJoin, an exchange's batch) shows here
    first (cluster/largest)."""

    async def work() -> LargestClustersResult:
        if not 1 <= first <= MAX_PAGE:
            raise LimitError(f"first must be between 1 and {MAX_PAGE}, not {first}")
        rows = await info.context.graph.read("cluster/largest", {"limit": first})
        return LargestClusters(clusters=[
            LargeCluster(id=r["cluster_id"], size=r["size"], top_merge_txid=r["top_merge_txid"],
                         top_merge_addresses=r["top_merge_addresses"]) for r in rows])

    return await or_problem(work)


@strawberry.type
class Query:
    cluster: ClusterResult = strawberry.field(resolver=cluster)
    explain: ExplainResult = strawberry.field(resolver=explain)
    cluster_stats: ClusterStatsResult = strawberry.field(resolver=cluster_stats)
    largest_clusters: LargestClustersResult = strawberry.field(resolver=largest_clusters)
