"""Attribution tags: the `Tag` type an address carries, and `tags(label, category)` listing
tag attributions with the address each one tags (tags/list), a page at a time: a Bitcoin
address (`taggedAddress`) or an Ethereum account (`taggedAccount`, its address in EIP-55)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.schema.errors import Problem, or_problem
from api.schema.pagination import DEFAULT_PAGE, Connection, read_page
from loaders.ethereum.address import eip55_checksum, is_eth_like

if TYPE_CHECKING:
    from api.schema.addresses import Account, Address


@strawberry.type
class Tag:
    label: str | None
    category: str | None
    source: str | None
    confidence: int | None
    abuse: str | None


@strawberry.type
class TagAttribution:
    """One claim about one address: who says so (source) and how far to trust it."""

    id: str
    label: str | None
    category: str | None
    abuse: str | None
    confidence: int | None
    confidence_name: str | None
    source: str | None
    currency: str | None
    address: str = strawberry.field(description="The tagged address (Ethereum's in EIP-55).")

    @strawberry.field(description="The tagged Bitcoin address with its totals and cluster "
                                  "(batched: a page of tags costs one lookup); null for an "
                                  "Ethereum tag.")
    async def tagged_address(self, info: strawberry.Info) -> Annotated[
            Address, strawberry.lazy("api.schema.addresses")] | None:
        from api.schema.addresses import Address

        if is_eth_like(self.address):
            return None
        row = await info.context.loaders.address.load(self.address)
        return None if row is None else Address.from_row(row)

    @strawberry.field(description="The tagged Ethereum account with its balances (batched); "
                                  "null for a Bitcoin tag.")
    async def tagged_account(self, info: strawberry.Info) -> Annotated[
            Account, strawberry.lazy("api.schema.addresses")] | None:
        from api.schema.addresses import Account

        if not is_eth_like(self.address):
            return None
        row = await info.context.loaders.account.load(self.address.lower())
        return None if row is None else Account.from_row(row)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> TagAttribution:
        a = r["address"]
        return cls(id=r["id"], label=r["label"], category=r["category"], abuse=r["abuse"],
                   confidence=r["confidence"], confidence_name=r["confidence_name"],
                   source=r["source"], currency=r["currency"],
                   address=eip55_checksum(a) if is_eth_like(a) else a)


TagsResult = Annotated[Connection[TagAttribution] | Problem, strawberry.union("TagsResult")]


async def tags(info: strawberry.Info, label: str | None = None, category: str | None = None,
               first: int = DEFAULT_PAGE, after: str | None = None) -> TagsResult:
    """Tag attributions whose label starts with `label` (any case) and of `category`, in
    label order, a page at a time."""
    name = f"tags:{category or ''}:{label or ''}"

    async def work() -> Connection[TagAttribution]:
        return await read_page(
            name, first, after,
            lambda skip, limit: info.context.graph.read("tags/list", {
                "label": label, "category": category, "skip": skip, "limit": limit}),
            TagAttribution.from_row)

    return await or_problem(work)


@strawberry.type
class Query:
    tags: TagsResult = strawberry.field(resolver=tags)
