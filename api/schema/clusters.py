"""Clusters (entities): `cluster(address)` with a paged member list (Relay-style connection),
`explain(a, b)`; and `search(text)` by prefix."""

from __future__ import annotations

import base64
from typing import Annotated, Any

import strawberry

from api.schema.errors import (
    InvalidInput,
    LimitExceeded,
    NotFoundError,
    Problem,
    or_problem,
)
from api.schema.scalars import Satoshi
from loaders.bitcoin.address import decode_address

MAX_PAGE = 100


@strawberry.type
class Member:
    address: str
    script_type: str | None
    received: Satoshi
    sent: Satoshi


@strawberry.type
class MemberEdge:
    cursor: str
    node: Member


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class MemberConnection:
    edges: list[MemberEdge]
    page_info: PageInfo


@strawberry.type
class EvidenceStep:
    step: int
    txid: str
    heuristic: str
    version: int
    address_from: str
    address_to: str


MembersResult = Annotated[MemberConnection | LimitExceeded | InvalidInput,
                          strawberry.union("MembersResult")]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"members:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, n = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if kind != "members" or int(n) < 0:
            raise ValueError(cursor)
        return int(n) + 1
    except ValueError as e:
        raise ValueError(f"not a cursor of this list: {cursor!r}") from e


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
    async def members(self, info: strawberry.Info, first: int = 50,
                      after: str | None = None) -> MembersResult:
        if not 1 <= first <= MAX_PAGE:
            return LimitExceeded(message=f"first must be between 1 and {MAX_PAGE}")
        try:
            skip = _offset(after)
        except ValueError as e:
            return InvalidInput(message=str(e))
        rows = await info.context.graph.read("cluster/members", {
            "cluster_id": self.id, "skip": skip, "limit": first + 1})
        page = rows[:first]
        edges = [MemberEdge(cursor=_cursor(skip + i), node=Member(
            address=r["address"], script_type=r["script_type"], received=r["received"],
            sent=r["sent"])) for i, r in enumerate(page)]
        return MemberConnection(edges=edges, page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=edges[-1].cursor if edges else None))


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
    steps: list[EvidenceStep]


ExplainResult = Annotated[Explanation | Problem, strawberry.union("ExplainResult")]


async def explain(info: strawberry.Info, a: str, b: str) -> ExplainResult:
    """Why two addresses are one entity: a shortest chain of evidence (no steps: they are not)."""

    async def work() -> ExplainResult:
        decode_address(a)  # InvalidAddress, before any query
        decode_address(b)
        rows = await info.context.graph.read("cluster/explain", {"a": a, "b": b})
        return Explanation(steps=[EvidenceStep(**r) for r in rows])

    return await or_problem(work)


@strawberry.type
class SearchHit:
    kind: str
    id: str
    label: str | None


async def search(info: strawberry.Info, text: str, limit: int = 10) -> list[SearchHit]:
    """Addresses, transactions and blocks by id prefix (at least 4 characters), tags by label."""
    if not text.strip() or not 1 <= limit <= 50:
        return []
    rows: list[dict[str, Any]] = await info.context.graph.read(
        "search/prefix", {"text": text.strip(), "limit": limit})
    return [SearchHit(kind=r["kind"], id=r["id"], label=r["label"]) for r in rows]


@strawberry.type
class Query:
    cluster: ClusterResult = strawberry.field(resolver=cluster)
    explain: ExplainResult = strawberry.field(resolver=explain)
    search: list[SearchHit] = strawberry.field(resolver=search)
