"""Blocks: `block(hash | height)` (lookup/block) with its transactions a page at a time
(lookup/block_transactions)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.schema.errors import InvalidInput, NotFoundError, Problem, or_problem
from api.schema.pagination import DEFAULT_PAGE, Connection, connection, page_window
from api.schema.scalars import Satoshi
from api.schema.transactions import hex64


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
            skip, limit = page_window(name, first, after)
            rows = await info.context.graph.read("lookup/block_transactions", {
                "hash": self.hash, "skip": skip, "limit": limit})
            return connection(name, rows, skip, first, BlockTransaction.from_row,
                              total=self.tx_count)

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Block:
        return cls(hash=r["hash"], height=r["height"], time=r["time"], status=r["status"],
                   tx_count=r["tx_count"], output_value=r["output_value"],
                   fee_total=r["fee_total"], prev_hash=r["prev_hash"])


BlockResult = Annotated[Block | Problem, strawberry.union("BlockResult")]


async def block(info: strawberry.Info, hash: str | None = None,
                height: int | None = None) -> BlockResult:
    """One block by hash or by main-chain height."""
    if (hash is None) == (height is None):
        return InvalidInput(message="give exactly one of hash and height")

    async def work() -> BlockResult:
        params = {"hash": hex64(hash, "hash") if hash else None, "height": height}
        rows = await info.context.graph.read("lookup/block", params)
        if not rows:
            return NotFoundError(message=f"no block {hash or height} in the graph")
        return Block.from_row(rows[0])

    return await or_problem(work)


@strawberry.type
class Query:
    block: BlockResult = strawberry.field(resolver=block)
