"""Transactions: `transaction(txid)` with its inputs and outputs (lookup/transaction), and the
types the other domains list transactions with."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.schema.errors import NotFoundError, Problem, or_problem
from api.schema.scalars import Satoshi, btc
from chaintrail.errors import ParameterError


@strawberry.type
class TxInput:
    prev_txid: str
    vout: int
    address: str | None
    value: Satoshi | None


@strawberry.type
class TxOutput:
    n: int
    address: str | None
    script_type: str | None
    value: Satoshi
    spent_by_txid: str | None

    @strawberry.field(description="The value in BTC, as an exact decimal string.")
    def value_btc(self) -> str | None:
        return btc(self.value)


@strawberry.type
class Transaction:
    txid: str
    block_hash: str | None
    height: int | None
    is_coinbase: bool
    input_value: Satoshi | None
    output_value: Satoshi | None
    fee: Satoshi | None
    inputs: list[TxInput]
    outputs: list[TxOutput]

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Transaction:
        return cls(
            txid=r["txid"], block_hash=r["block_hash"], height=r["height"],
            is_coinbase=bool(r["is_coinbase"]), input_value=r["input_value"],
            output_value=r["output_value"], fee=r["fee"],
            inputs=[TxInput(prev_txid=i["prev_txid"], vout=i["vout"], address=i["address"],
                            value=i["value"]) for i in r["inputs"]],
            outputs=[TxOutput(n=o["n"], address=o["address"], script_type=o["script_type"],
                              value=o["value"], spent_by_txid=o["spent_by_txid"])
                     for o in r["outputs"]],
        )


TransactionResult = Annotated[Transaction | Problem, strawberry.union("TransactionResult")]


def hex64(value: str, what: str) -> str:
    """A txid or block hash, lowercased; ParameterError (InvalidInput) unless 64 hex digits."""
    v = value.lower()
    if len(v) != 64 or any(c not in "0123456789abcdef" for c in v):
        raise ParameterError(f"{what} must be 64 hex digits, not {value!r}")
    return v


async def transaction(info: strawberry.Info, txid: str) -> TransactionResult:
    """One transaction with its inputs and outputs, values exact."""

    async def work() -> TransactionResult:
        rows = await info.context.graph.read("lookup/transaction",
                                             {"txid": hex64(txid, "txid")})
        if not rows:
            return NotFoundError(message=f"no transaction {txid} in the graph")
        return Transaction.from_row(rows[0])

    return await or_problem(work)


@strawberry.type
class Query:
    transaction: TransactionResult = strawberry.field(resolver=transaction)
