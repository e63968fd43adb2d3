"""Addresses: `address`, `addresses` (up to 100): a Bitcoin `Address` with its cluster and
tags (batched by DataLoaders) and its transactions a page at a time
(lookup/address_transactions), or an Ethereum `Account` with its balance per asset and its
tags (batched likewise). The chain is the `chain` argument, else the address's form (0x and 40
hex digits: Ethereum), else Bitcoin. An Ethereum address is accepted in any case, but a
mixed-case one must carry its EIP-55 checksum (else InvalidAddress); it is shown in EIP-55."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry

from api.schema.errors import LimitExceeded, NotFoundError, Problem, or_problem
from api.schema.pagination import (
    DEFAULT_PAGE,
    Connection,
    read_page,
)
from api.schema.scalars import Amount, Chain, Satoshi, btc, decimal_units
from api.schema.tags import Tag
from api.schema.transactions import amount, shown
from cypher.registry import normal_address
from loaders.bitcoin.address import decode_address
from loaders.ethereum.address import check_address, eip55_checksum, is_eth_like

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
            return await read_page(
                name, first, after,
                lambda skip, limit: info.context.graph.read("lookup/address_transactions", {
                    "address": self.address, "skip": skip, "limit": limit}),
                AddressTransaction.from_row, "listed")

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Address:
        return cls(address=r["address"], script_type=r["script_type"], received=r["received"],
                   sent=r["sent"], balance=r["balance"], output_count=r["output_count"],
                   first_height=r["first_height"], last_height=r["last_height"])


@strawberry.type(description="What an Ethereum account received, sent and holds of one "
                             "asset, exact, with fees.")
class AssetBalance:
    asset: str = strawberry.field(description="ETH, or the token contract's address (EIP-55).")
    symbol: str | None
    decimals: int | None
    received: Amount = strawberry.field(description="In wei, or in the token's base unit.")
    sent: Amount
    balance: Amount = strawberry.field(
        description="received - sent; negative when the account was funded before the first "
                    "block loaded (or for the zero address, the protocol's).")
    transfers_in: int
    transfers_out: int

    @strawberry.field(description="The balance in whole units (ETH, or the token's), exact; "
                                  "null when the token's decimals are unknown.")
    def balance_units(self) -> str | None:
        return decimal_units(self.balance, self.decimals)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> AssetBalance:
        return cls(asset=shown(r["asset"]) or r["asset"], symbol=r["symbol"],
                   decimals=r["decimals"], received=Amount(int(r["received"])),
                   sent=Amount(int(r["sent"])), balance=Amount(int(r["balance"])),
                   transfers_in=r["transfers_in"], transfers_out=r["transfers_out"])


@strawberry.type
class TokenInfo:
    symbol: str | None
    name: str | None
    decimals: int | None


@strawberry.type(description="A transfer into or out of an Ethereum account: ETH (a "
                             "transaction's value or an internal call's) or a token.")
class AccountTransfer:
    id: str = strawberry.field(description="The transfer's id (unique).")
    direction: str = strawberry.field(description="in, out, or self (to itself).")
    counterparty: str = strawberry.field(description="The other account, EIP-55.")
    asset: str = strawberry.field(description="ETH, or the token contract's address (EIP-55).")
    kind: str | None
    value: Amount = strawberry.field(description="In wei, or in the token's base unit.")
    block: int | None
    tx_index: int | None
    tx_hash: str | None
    time: int | None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> AccountTransfer:
        return cls(id=r["id"], direction=r["direction"],
                   counterparty=eip55_checksum(r["counterparty"]),
                   asset=shown(r["asset"]) or r["asset"], kind=r["kind"],
                   value=Amount(int(r["value"])), block=r["block"], tx_index=r["tx_index"],
                   tx_hash=r["tx_hash"], time=r["time"])


AccountTransfersResult = Annotated[Connection[AccountTransfer] | Problem,
                                   strawberry.union("AccountTransfersResult")]


@strawberry.type(description="An Ethereum account (externally owned or a contract): its "
                             "balance per asset, summed exactly from its transfers.")
class Account:
    address: str = strawberry.field(description="EIP-55 (stored lower-case).")
    kind: str | None = strawberry.field(description="eoa, contract, or null when unknown.")
    received: Amount = strawberry.field(description="ETH received, in wei (fees included).")
    sent: Amount
    balance: Amount
    tx_count: int = strawberry.field(
        description="Transactions that moved value to or from it (fees included).")
    first_height: int | None
    last_height: int | None
    token: TokenInfo | None = strawberry.field(
        description="Its own metadata when it is a token contract.")
    balances: list[AssetBalance]

    @strawberry.field(description="The ETH balance in ETH, as an exact decimal string.")
    def balance_eth(self) -> str | None:
        return decimal_units(self.balance, 18)

    @strawberry.field(description="The account's own tags, highest confidence first.")
    async def tags(self, info: strawberry.Info) -> list[Tag]:
        rows = await info.context.loaders.account_tags.load(self.address.lower())
        return [Tag(label=t["label"], category=t["category"], source=t["source"],
                    confidence=t["confidence"], abuse=t["abuse"]) for t in rows]

    @strawberry.field(description="Its transfers in and out (ETH and tokens), oldest first "
                                  "(block, then position in it), a page at a time; `asset`: "
                                  "ETH or a token contract's address, else every asset.")
    async def transfers(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                        after: str | None = None,
                        asset: str | None = None) -> AccountTransfersResult:
        async def work() -> Connection[AccountTransfer]:
            key = (None if asset is None else "ETH" if asset.upper() == "ETH"
                   else check_address(asset))  # a bad one: InvalidAddress
            name = f"account-transfers:{self.address.lower()}:{key or '*'}"
            return await read_page(
                name, first, after,
                lambda skip, limit: info.context.graph.read("lookup/account_transfers", {
                    "address": self.address.lower(), "asset": key, "skip": skip,
                    "limit": limit}),
                AccountTransfer.from_row, "listed")

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Account:
        token = r["token"]
        return cls(address=eip55_checksum(r["address"]), kind=r["kind"],
                   received=amount(r["received"]) or Amount(0),
                   sent=amount(r["sent"]) or Amount(0),
                   balance=amount(r["balance"]) or Amount(0), tx_count=r["tx_count"],
                   first_height=r["first_height"], last_height=r["last_height"],
                   token=TokenInfo(symbol=token["symbol"], name=token["name"],
                                   decimals=token["decimals"]) if token else None,
                   balances=[AssetBalance.from_row(b) for b in r["balances"] or []])


AddressResult = Annotated[Address | Account | Problem, strawberry.union("AddressResult")]


def address_chain(address: str, chain: Chain | None) -> Chain:
    """The chain asked for, else Ethereum for a 0x + 40 hex digits address, else Bitcoin."""
    if chain is not None:
        return chain
    return Chain.ETHEREUM if is_eth_like(address) else Chain.BITCOIN


async def address(info: strawberry.Info, address: str,
                  chain: Chain | None = None) -> AddressResult:
    """One address: on Bitcoin its totals (exact satoshi), cluster and tags; on Ethereum its
    balance per asset (exact) and tags. The chain is `chain`, else Ethereum for a 0x address."""
    which = address_chain(address, chain)

    async def work() -> AddressResult:
        if which is Chain.ETHEREUM:
            account = check_address(address)  # InvalidAddress (EIP-55 too), before any query
            row = await info.context.loaders.account.load(account)
            if row is None:
                return NotFoundError(message=f"no Ethereum account {address} in the graph")
            return Account.from_row(row)
        decode_address(address)  # InvalidAddress, before any query
        row = await info.context.loaders.address.load(normal_address(address))
        if row is None:
            return NotFoundError(message=f"no address {address} in the graph")
        return Address.from_row(row)

    return await or_problem(work)


async def addresses(info: strawberry.Info, addresses: list[str],
                    chain: Chain | None = None) -> list[AddressResult]:
    """Up to 100 addresses at once (of both chains: each one's chain is `chain`, else its
    form); each with its cluster and tags in a constant number of database round trips
    (DataLoaders)."""
    if len(addresses) > MAX_ADDRESSES:
        return [LimitExceeded(message=f"at most {MAX_ADDRESSES} addresses per request")]
    # gathered, not awaited one by one: the DataLoader sees every key in one batch
    return list(await asyncio.gather(*(address(info, a, chain) for a in addresses)))


@strawberry.type
class Query:
    address: AddressResult = strawberry.field(resolver=address)
    addresses: list[AddressResult] = strawberry.field(resolver=addresses)
