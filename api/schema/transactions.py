"""Transactions: `transaction(txid, chain)` (lookup/transaction): a Bitcoin `Transaction` with
its inputs and outputs, or an Ethereum `EthTransaction` with every value transfer it made; and
the types the other domains list transactions with. The chain is the `chain` argument, else
the id's form (0x: Ethereum), else Bitcoin."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.schema.errors import NotFoundError, Problem, or_problem
from api.schema.scalars import Amount, Chain, Satoshi, btc, decimal_units
from chaintrail.errors import ParameterError
from loaders.ethereum.address import eip55_checksum, is_eth_like


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


def amount(v: Any) -> Amount | None:
    """A stored exact amount (a decimal string, or an integer) as an Amount."""
    return None if v is None else Amount(int(v))


def shown(address: str | None) -> str | None:
    """An Ethereum address as shown: its EIP-55 case (stored lower-case); anything else
    (None, 'ETH') as is."""
    return eip55_checksum(address) if address and is_eth_like(address) else address


@strawberry.type(description="One value transfer: native (the transaction's value), internal "
                             "(a call with value inside it), erc20 (a token Transfer event); "
                             "or the transaction's fee, booked on it: fee (the tip, to the "
                             "miner) and burn (the burnt part, to no account: `to` null).")
class EthTransfer:
    id: str
    kind: str
    asset: str = strawberry.field(description="ETH, or the token contract's address (EIP-55).")
    sender: str | None = strawberry.field(name="from")
    receiver: str | None = strawberry.field(name="to")
    value: Amount = strawberry.field(description="In wei, or in the token's base unit.")
    symbol: str | None
    decimals: int | None

    @strawberry.field(description="value in whole units (ETH, or the token's), exact; null "
                                  "when the token's decimals are unknown.")
    def units(self) -> str | None:
        return decimal_units(self.value, self.decimals)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> EthTransfer:
        return cls(id=r["id"], kind=r["kind"], asset=shown(r["asset"]) or r["asset"],
                   sender=shown(r["from"]), receiver=shown(r["to"]),
                   value=Amount(int(r["value"])), symbol=r["symbol"], decimals=r["decimals"])


@strawberry.type(description="An Ethereum transaction; amounts and prices in wei (exact "
                             "decimal strings), addresses EIP-55.")
class EthTransaction:
    hash: str
    block_hash: str | None
    height: int | None
    tx_index: int | None
    time: int | None
    status: int | None = strawberry.field(
        description="1 succeeded, 0 failed (it moved nothing but its fee), null unknown "
                    "(before Byzantium without traces).")
    sender: str | None = strawberry.field(name="from")
    receiver: str | None = strawberry.field(name="to")
    value: Amount | None
    nonce: int | None
    gas: int | None
    gas_price: Amount | None
    gas_used: int | None
    effective_gas_price: Amount | None
    fee: Amount | None
    type: int | None
    contract_address: str | None
    transfers: list[EthTransfer]

    @strawberry.field(description="value in ETH, as an exact decimal string.")
    def value_eth(self) -> str | None:
        return decimal_units(self.value, 18)

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> EthTransaction:
        return cls(
            hash=r["txid"], block_hash=r["block_hash"], height=r["height"],
            tx_index=r["tx_index"], time=r["time"], status=r["status"],
            sender=shown(r["from"]), receiver=shown(r["to"]), value=amount(r["value"]),
            nonce=r["nonce"], gas=r["gas"], gas_price=amount(r["gas_price"]),
            gas_used=r["gas_used"], effective_gas_price=amount(r["effective_gas_price"]),
            fee=amount(r["fee"]), type=r["type"], contract_address=shown(r["contract_address"]),
            transfers=[EthTransfer.from_row(t) for t in r["transfers"] or []],
        )


TransactionResult = Annotated[Transaction | EthTransaction | Problem,
                              strawberry.union("TransactionResult")]


def hex64(value: str, what: str) -> str:
    """A txid or block hash, lowercased; ParameterError (InvalidInput) unless 64 hex digits."""
    v = value.lower()
    if len(v) != 64 or any(c not in "0123456789abcdef" for c in v):
        raise ParameterError(f"{what} must be 64 hex digits, not {value!r}")
    return v


def eth_hash(value: str, what: str) -> str:
    """An Ethereum transaction or block hash, lowercased; ParameterError (InvalidInput)
    unless 0x and 64 hex digits."""
    if value[:2] not in ("0x", "0X"):
        raise ParameterError(f"{what} must be 0x and 64 hex digits, not {value!r}")
    return "0x" + hex64(value[2:], what)


def chain_of(value: str, chain: Chain | None) -> Chain:
    """The chain asked for, else Ethereum for a 0x id, else Bitcoin."""
    if chain is not None:
        return chain
    return Chain.ETHEREUM if value[:2] in ("0x", "0X") else Chain.BITCOIN


async def transaction(info: strawberry.Info, txid: str,
                      chain: Chain | None = None) -> TransactionResult:
    """One transaction, values exact: on Bitcoin with its inputs and outputs, on Ethereum
    with every transfer it made. The chain is `chain`, else Ethereum for a 0x hash."""
    which = chain_of(txid, chain)

    async def work() -> TransactionResult:
        ethereum = which is Chain.ETHEREUM
        rows = await info.context.graph.read("lookup/transaction", {
            "txid": eth_hash(txid, "txid") if ethereum else hex64(txid, "txid"),
            "chain": which.value})
        if not rows:
            return NotFoundError(message=f"no {which.value} transaction {txid} in the graph")
        return EthTransaction.from_row(rows[0]) if ethereum else Transaction.from_row(rows[0])

    return await or_problem(work)


@strawberry.type
class Query:
    transaction: TransactionResult = strawberry.field(resolver=transaction)
