"""Blocks: `block(hash | height, chain)` (lookup/block): a Bitcoin `Block` with its
transactions a page at a time (lookup/block_transactions), or an Ethereum `EthBlock`. The chain
is the `chain` argument, else the hash's form (0x: Ethereum), else Bitcoin."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.schema.errors import InvalidInput, NotFoundError, Problem, or_problem
from api.schema.pagination import DEFAULT_PAGE, Connection, read_page
from api.schema.scalars import Amount, Chain, Satoshi, decimal_units
from api.schema.transactions import amount, chain_of, eth_hash, hex64, shown
from loaders.ethereum.address import eip55_checksum


@strawberry.type
class BlockTransaction:
    """A transaction as its block lists it; `transaction(txid)` gives its inputs and outputs."""

    index: int
    txid: str
    is_coinbase: bool
    input_count: int | None
    output_count: int | None
    input_value: Satoshi | None
    output_value: Satoshi | None
    fee: Satoshi | None
    size: int | None
    vsize: int | None
    weight: int | None
    stale: bool

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> BlockTransaction:
        return cls(index=r["index"], txid=r["txid"], is_coinbase=bool(r["is_coinbase"]),
                   input_count=r["input_count"], output_count=r["output_count"],
                   input_value=r["input_value"], output_value=r["output_value"],
                   fee=r["fee"], size=r["size"], vsize=r["vsize"], weight=r["weight"],
                   stale=r["stale"])


BlockTransactionsResult = Annotated[Connection[BlockTransaction] | Problem,
                                    strawberry.union("BlockTransactionsResult")]


@strawberry.type
class Block:
    hash: str
    height: int | None
    time: int | None
    status: str | None
    tx_count: int | None
    output_value: Satoshi | None
    fee_total: Satoshi | None
    prev_hash: str | None

    @strawberry.field(description="The block's transactions in block order, a page at a time.")
    async def transactions(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                           after: str | None = None) -> BlockTransactionsResult:
        name = f"block-transactions:{self.hash}"

        async def work() -> Connection[BlockTransaction]:
            return await read_page(
                name, first, after,
                lambda skip, limit: info.context.graph.read("lookup/block_transactions", {
                    "hash": self.hash, "skip": skip, "limit": limit}),
                BlockTransaction.from_row, total=self.tx_count)

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Block:
        return cls(hash=r["hash"], height=r["height"], time=r["time"], status=r["status"],
                   tx_count=r["tx_count"], output_value=r["output_value"],
                   fee_total=r["fee_total"], prev_hash=r["prev_hash"])


@strawberry.type(description="A transaction of an Ethereum block, in block order; "
                             "`transaction(txid)` gives it whole, with its transfers.")
class EthBlockTransaction:
    index: int
    txid: str
    sender: str | None = strawberry.field(name="from", description="EIP-55.")
    recipient: str | None = strawberry.field(
        name="to", description="EIP-55; null for a contract creation.")
    contract_address: str | None = strawberry.field(
        description="The contract a creation made, EIP-55.")
    value: Amount | None = strawberry.field(description="In wei.")
    fee_paid: Amount | None = strawberry.field(description="What the sender paid for gas, wei.")
    status: int | None = strawberry.field(description="1, 0 (failed), or null when unknown.")
    gas_used: int | None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> EthBlockTransaction:
        return cls(index=r["index"], txid=r["txid"], sender=shown(r["from"]),
                   recipient=shown(r["to"]), contract_address=shown(r["contract_address"]),
                   value=amount(r["value"]), fee_paid=amount(r["fee_paid"]),
                   status=r["status"], gas_used=r["gas_used"])


EthBlockTransactionsResult = Annotated[Connection[EthBlockTransaction] | Problem,
                                       strawberry.union("EthBlockTransactionsResult")]


@strawberry.type(description="An Ethereum block; amounts in wei (exact decimal strings).")
class EthBlock:
    hash: str | None
    height: int
    time: int | None
    tx_count: int | None
    output_value: Amount | None = strawberry.field(
        description="The sum of its transactions' value fields (a failed one's too).")
    token_transfer_count: int | None
    miner: str | None = strawberry.field(description="The fee recipient, EIP-55.")
    parent_hash: str | None
    base_fee_per_gas: Amount | None
    gas_used: int | None
    withdrawal_count: int | None
    first_txid: str | None
    last_txid: str | None
    parts: list[str]

    @strawberry.field(description="output_value in ETH, as an exact decimal string.")
    def output_value_eth(self) -> str | None:
        return decimal_units(self.output_value, 18)

    @strawberry.field(description="Its transactions in block order, a page at a time.")
    async def transactions(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                           after: str | None = None) -> EthBlockTransactionsResult:
        name = f"eth-block-transactions:{self.height}"

        async def work() -> Connection[EthBlockTransaction]:
            whole = "transactions" in self.parts  # else the count is the header's, not ours
            return await read_page(
                name, first, after,
                lambda skip, limit: info.context.graph.read("lookup/eth_block_transactions", {
                    "number": self.height, "skip": skip, "limit": limit}),
                EthBlockTransaction.from_row, total=self.tx_count if whole else None)

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> EthBlock:
        return cls(hash=r["hash"], height=r["height"], time=r["time"], tx_count=r["tx_count"],
                   output_value=amount(r["output_value"]),
                   token_transfer_count=r["token_transfer_count"],
                   miner=eip55_checksum(r["miner"]) if r["miner"] else None,
                   parent_hash=r["prev_hash"], base_fee_per_gas=amount(r["base_fee_per_gas"]),
                   gas_used=r["gas_used"], withdrawal_count=r["withdrawal_count"],
                   first_txid=r["first_txid"], last_txid=r["last_txid"],
                   parts=list(r["parts"] or []))


BlockResult = Annotated[Block | EthBlock | Problem, strawberry.union("BlockResult")]


async def block(info: strawberry.Info, hash: str | None = None, height: int | None = None,
                chain: Chain | None = None) -> BlockResult:
    """One block by hash or by height (Bitcoin: of the main chain; Ethereum: its number). The
    chain is `chain`, else Ethereum for a 0x hash, else Bitcoin."""
    if (hash is None) == (height is None):
        return InvalidInput(message="give exactly one of hash and height")
    which = chain_of(hash or "", chain)

    async def work() -> BlockResult:
        ethereum = which is Chain.ETHEREUM
        checked = (eth_hash(hash, "hash") if ethereum else hex64(hash, "hash")) if hash \
            else None
        rows = await info.context.graph.read("lookup/block", {
            "hash": checked, "height": height, "chain": which.value})
        if not rows:
            return NotFoundError(message=f"no {which.value} block {hash or height} in the "
                                         "graph")
        return EthBlock.from_row(rows[0]) if ethereum else Block.from_row(rows[0])

    return await or_problem(work)


@strawberry.type
class Query:
    block: BlockResult = strawberry.field(resolver=block)
