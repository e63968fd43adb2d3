"""`search(text)`: addresses, transactions and blocks by id prefix, tags by label prefix
(search/prefix), each hit typed by its kind."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.schema.errors import Problem, or_problem
from chaintrail.errors import LimitError

MAX_SEARCH = 50
"""Largest `limit` (hits per kind)."""


@strawberry.type
class AddressHit:
    address: str
    script_type: str | None


@strawberry.type
class TransactionHit:
    txid: str
    height: int | None


@strawberry.type
class BlockHit:
    hash: str
    height: int | None


@strawberry.type
class TagHit:
    label: str
    category: str | None
    address: str


SearchHit = Annotated[AddressHit | TransactionHit | BlockHit | TagHit,
                      strawberry.union("SearchHit")]


@strawberry.type
class SearchResults:
    hits: list[SearchHit]


SearchResult = Annotated[SearchResults | Problem, strawberry.union("SearchResult")]


def _hit(r: dict[str, Any]) -> AddressHit | TransactionHit | BlockHit | TagHit:
    kind = r["kind"]
    if kind == "address":
        return AddressHit(address=r["id"], script_type=r["label"])
    if kind == "transaction":
        return TransactionHit(txid=r["id"], height=r["height"])
    if kind == "block":
        return BlockHit(hash=r["id"], height=r["height"])
    return TagHit(label=r["label"], category=r["category"], address=r["id"])


async def search(info: strawberry.Info, text: str, limit: int = 10) -> SearchResult:
    """Addresses, transactions and blocks by id prefix (at least 4 characters), tags by label
    prefix (any case); at most `limit` hits of each kind, in name order."""

    async def work() -> SearchResult:
        if not 1 <= limit <= MAX_SEARCH:
            raise LimitError(f"limit must be between 1 and {MAX_SEARCH}, not {limit}")
        if not text.strip():
            return SearchResults(hits=[])
        rows = await info.context.graph.read("search/prefix",
                                             {"text": text.strip(), "limit": limit})
        return SearchResults(hits=[_hit(r) for r in rows])

    return await or_problem(work)


@strawberry.type
class Query:
    search: SearchResult = strawberry.field(resolver=search)
