"""Addresses: `address`, `addresses` (up to 100), each with its cluster and tags (batched by
DataLoaders) and its transactions a page at a time (lookup/address_transactions)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from api.schema.errors import LimitExceeded, NotFoundError, Problem, or_problem
from api.schema.pagination import DEFAULT_PAGE, Connection, connection, page_window
from api.schema.scalars import Satoshi, btc
from api.schema.tags import Tag
from loaders.bitcoin.address import decode_address

MAX_ADDRESSES = 100


@strawberry.type
class ClusterRef:
    id: str
    size: int


@strawberry.type
class AddressTransaction:
    """A transaction that paid or spent the address, with what the address received in it and
    sent in it; `transaction(txid)` gives the whole transaction."""

    txid: str
    height: int | None
    time: int | None
    block_hash: str | None
    index: int | None
    received: Satoshi
    sent: Satoshi

    @strawberry.field(description="received - sent: what the transaction did to the balance.")
    def net(self) -> Satoshi:
        return Satoshi(self.received - self.sent)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> AddressTransaction:
        return cls(txid=r["txid"], height=r["height"], time=r["time"],
                   block_hash=r["block_hash"], index=r["index"], received=r["received"],
                   sent=r["sent"])


AddressTransactionsResult = Annotated[Connection[AddressTransaction] | Problem,
                                      strawberry.union("AddressTransactionsResult")]


@strawberry.type
class Address:
    address: str
    script_type: str | None
    received: Satoshi
    sent: Satoshi
    balance: Satoshi
    output_count: int
    first_height: int | None
    last_height: int | None

    @strawberry.field(description="The balance in BTC, as an exact decimal string.")
    def balance_btc(self) -> str | None:
        return btc(self.balance)

    @strawberry.field(description="The cluster (entity) this address belongs to.")
    async def cluster(self, info: strawberry.Info) -> ClusterRef | None:
        row = await info.context.loaders.cluster.load(self.address)
        return None if row is None else ClusterRef(id=row["cluster_id"], size=row["size"])

    @strawberry.field(description="The address's own tags, highest confidence first.")
    async def tags(self, info: strawberry.Info) -> list[Tag]:
        rows = await info.context.loaders.tags.load(self.address)
        return [Tag(label=t["label"], category=t["category"], source=t["source"],
                    confidence=t["confidence"], abuse=t["abuse"]) for t in rows]

    @strawberry.field(description="The transactions that paid or spent the address, oldest "
                                  "first (height, then position in the block), a page at a "
                                  "time; stale blocks left out.")
    async def transactions(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                           after: str | None = None) -> AddressTransactionsResult:
        name = f"address-transactions:{self.address}"

        async def work() -> Connection[AddressTransaction]:
            skip, limit = page_window(name, first, after)
            rows = await info.context.graph.read("lookup/address_transactions", {
                "address": self.address, "skip": skip, "limit": limit})
            total = rows[0]["total"] if rows else (0 if skip == 0 else None)
            return connection(name, rows, skip, first, AddressTransaction.from_row, total)

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Address:
        return cls(address=r["address"], script_type=r["script_type"], received=r["received"],
                   sent=r["sent"], balance=r["balance"], output_count=r["output_count"],
                   first_height=r["first_height"], last_height=r["last_height"])


AddressResult = Annotated[Address | Problem, strawberry.union("AddressResult")]


async def address(info: strawberry.Info, address: str) -> AddressResult:
    """One address: totals (exact satoshi), its cluster and its tags."""

    async def work() -> AddressResult:
        decode_address(address)  # InvalidAddress, before any query
        row = await info.context.loaders.address.load(address)
        if row is None:
            return NotFoundError(message=f"no address {address} in the graph")
        return Address.from_row(row)

    return await or_problem(work)


async def addresses(info: strawberry.Info, addresses: list[str]) -> list[AddressResult]:
    """Up to 100 addresses at once; each with its cluster and tags in a constant number of
    database round trips (DataLoaders)."""
    if len(addresses) > MAX_ADDRESSES:
        return [LimitExceeded(message=f"at most {MAX_ADDRESSES} addresses per request")]
    # gathered, not awaited one by one: the DataLoader sees every key in one batch
    return list(await asyncio.gather(*(address(info, a) for a in addresses)))


@strawberry.type
class Query:
    address: AddressResult = strawberry.field(resolver=address)
    addresses: list[AddressResult] = strawberry.field(resolver=addresses)
