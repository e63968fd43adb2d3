"""`search(text)`: addresses, transactions and blocks of both chains by id prefix, tags by
label prefix (search/prefix), each hit typed by its kind and carrying its chain (Ethereum
addresses in EIP-55)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.schema.errors import Problem, or_problem
from api.schema.scalars import Chain
from chaintrail.errors import LimitError
from loaders.ethereum.address import eip55_checksum, is_eth_like

MAX_SEARCH = 50
"""Largest `limit` (hits per kind)."""


@strawberry.type
class AddressHit:
    address: str
    script_type: str | None = strawberry.field(
        description="A Bitcoin address's script type; an Ethereum account's kind.")
    chain: Chain = Chain.BITCOIN


@strawberry.type
class TransactionHit:
    txid: str
    height: int | None
    chain: Chain = Chain.BITCOIN


@strawberry.type
class BlockHit:
    hash: str
    height: int | None
    chain: Chain = Chain.BITCOIN


@strawberry.type
class TagHit:
    label: str
    category: str | None
    address: str
    chain: Chain = Chain.BITCOIN


SearchHit = Annotated[AddressHit | TransactionHit | BlockHit | TagHit,
                      strawberry.union("SearchHit")]


@strawberry.type
class SearchResults:
    hits: list[SearchHit]


SearchResult = Annotated[SearchResults | Problem, strawberry.union("SearchResult")]


def _hit(r: dict[str, Any]) -> AddressHit | TransactionHit | BlockHit | TagHit:
    kind, eth = r["kind"], Chain.ETHEREUM
    if kind == "address":
        return AddressHit(address=r["id"], script_type=r["label"])
    if kind == "account":
        return AddressHit(address=eip55_checksum(r["id"]), script_type=r["label"], chain=eth)
    if kind == "transaction":
        return TransactionHit(txid=r["id"], height=r["height"])
    if kind == "eth_transaction":
        return TransactionHit(txid=r["id"], height=r["height"], chain=eth)
    if kind == "block":
        return BlockHit(hash=r["id"], height=r["height"])
    if kind == "eth_block":
        return BlockHit(hash=r["id"], height=r["height"], chain=eth)
    if is_eth_like(r["id"]):
        return TagHit(label=r["label"], category=r["category"],
                      address=eip55_checksum(r["id"]), chain=eth)
    return TagHit(label=r["label"], category=r["category"], address=r["id"])


async def search(info: strawberry.Info, text: str, limit: int = 10) -> SearchResult:
    """Addresses, transactions and blocks of both chains by id prefix (at least 4
    characters; Ethereum's 0x ids in any case), tags by label prefix (any case); at most
    `limit` hits of each kind, in name order."""

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
