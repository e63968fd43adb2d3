"""Taint: `taint(method, sources, maxHops, maxRows)`, the CLI's `chaintrail taint` through
GraphQL (the same steps, analysis.taint.taint_steps, driven by the API's AsyncGraph), with its
flow graph for a visualiser.

Amounts are as the CLI reports them: whole satoshi, a haircut share rounded down (`rounding`
says so); `taintedExact` keeps each row's amount exactly ('40/3').

Ethereum (`chain: ETHEREUM`, or 0x sources): sources are transfer ids, transaction hashes
or accounts; one asset; rows are transfers. Every `Satoshi` field has an `Amount` twin
(`value`/`amount`, `taintedValue`/`taintedAmount`, `taintedIn`/`taintedInAmount`, ...) with
the exact amount on both chains; the `Satoshi` one is null on Ethereum."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from analysis.account_taint import EthTaint
from analysis.steps import run_async
from analysis.taint import Taint, TaintLimits, taint_steps
from api.graph import eth_taint_graph, taint_graph
from api.schema.errors import Problem, or_problem
from api.schema.scalars import Amount, Chain, Satoshi
from api.schema.tracing import (
    AssetArg,
    ChainArg,
    Graph,
    WindowArg,
    asked,
    window_of,
)
from loaders.endpoints import check_sources
from loaders.ethereum.address import displayed


@strawberry.enum
class TaintMethod(Enum):
    POISON = "poison"
    HAIRCUT = "haircut"
    FIFO = "fifo"


@strawberry.type
class TaintRow:
    """An output the taint reached, at the fewest spends from a source (Ethereum: a
    transfer, at the fewest transfers from a source)."""

    hop: int
    txid: str | None
    vout: int | None = strawberry.field(description="The output's index; null on Ethereum.")
    address: str | None
    value: Satoshi | None = strawberry.field(description="Satoshi; null on Ethereum.")
    tainted_value: Satoshi | None = strawberry.field(description="Satoshi; null on Ethereum.")
    tainted_exact: str = strawberry.field(
        description="The tainted amount exactly: '12', or a haircut share as '40/3'.")
    status: str = strawberry.field(
        description="Where its taint is now: spent (within the answer), unspent, or beyond "
                    "(spent past max_hops or a truncation). Ethereum: of the recipient's "
                    "balance.")
    height: int | None
    amount: Amount = strawberry.field(description="The value, exact, on either chain.")
    tainted_amount: Amount = strawberry.field(
        description="The tainted amount rounded down, on either chain.")
    transfer: str | None = strawberry.field(description="Ethereum: the transfer's id.")
    from_address: str | None = strawberry.field(description="Ethereum: the sender.")
    asset: str | None = strawberry.field(description="Ethereum: ETH or the token contract.")


@strawberry.type
class TaintResultType:
    method: TaintMethod
    sources: list[str]
    source_outputs: int
    max_hops: int
    rows: list[TaintRow]
    transactions: int
    tainted_in: Satoshi | None
    tainted_out: Satoshi | None
    tainted_unspent: Satoshi | None
    tainted_beyond: Satoshi | None
    tainted_fees: Satoshi | None
    source_overlap: Satoshi | None
    rounding: str
    truncated: bool
    truncation: list[str]
    tainted_in_amount: Amount
    tainted_out_amount: Amount
    tainted_unspent_amount: Amount
    tainted_beyond_amount: Amount
    tainted_fees_amount: Amount
    source_overlap_amount: Amount
    chain: Chain
    asset: str | None
    result: strawberry.Private[Taint | EthTaint]

    @strawberry.field(description="The flow graph: addresses and transactions, `spend` edges "
                                  "into a transaction, `payment` edges out of it (Ethereum: "
                                  "accounts and `transfer` edges).")
    def graph(self) -> Graph:
        if isinstance(self.result, EthTaint):
            return Graph.of(displayed(eth_taint_graph(self.result)))
        return Graph.of(taint_graph(self.result))


TaintResult = Annotated[TaintResultType | Problem, strawberry.union("TaintResult")]


_TOTALS = ("tainted_in", "tainted_out", "tainted_unspent", "tainted_beyond", "tainted_fees",
           "source_overlap")


def _result(t: Taint | EthTaint) -> TaintResultType:
    d = t.as_dict()  # the CLI's JSON: the same rounding, the same totals
    eth = isinstance(t, EthTaint)
    if eth:
        d = displayed(d)
    totals: dict[str, object] = {}
    for k in _TOTALS:
        totals[k] = None if eth else d[k]
        totals[f"{k}_amount"] = Amount(int(d[k]))
    if isinstance(t, EthTaint):
        rows = [TaintRow(hop=r["hop"], txid=r["txid"], vout=None, address=r["address"],
                         value=None, tainted_value=None, tainted_exact=str(x.exact),
                         status=r["status"], height=r["height"], amount=Amount(int(r["value"])),
                         tainted_amount=Amount(int(r["tainted_value"])),
                         transfer=r["transfer"], from_address=r["from_address"],
                         asset=r["asset"]) for r, x in zip(d["rows"], t.rows, strict=True)]
    else:
        rows = [TaintRow(hop=r.hop, txid=r.txid, vout=r.vout, address=r.address,
                         value=Satoshi(r.value), tainted_value=Satoshi(r.tainted_value),
                         tainted_exact=str(r.exact), status=r.status, height=r.height,
                         amount=Amount(r.value), tainted_amount=Amount(r.tainted_value),
                         transfer=None, from_address=None, asset=None) for r in t.rows]
    return TaintResultType(
        method=TaintMethod(t.method), sources=d["sources"], source_outputs=d["source_outputs"],
        max_hops=d["max_hops"], transactions=d["transactions"], rounding=d["rounding"],
        truncated=d["truncated"], truncation=d["truncation"], result=t, rows=rows,
        chain=Chain.ETHEREUM if eth else Chain.BITCOIN, asset=d["asset"] if eth else None,
        **totals)  # type: ignore[arg-type]


API_DEFAULT_ROWS = 1_000
"""`maxRows` when not given. The CLI's default is 10,000, but a query asking for that many rows
costs more than the default query cost limit (`CHAINTRAIL_API_MAX_COMPLEXITY`, 5,000): a query
with the schema's defaults must run. Ask for more rows with `maxRows` (and a higher limit)."""


async def taint(info: strawberry.Info, method: TaintMethod, sources: list[str],
                max_hops: int = 6, max_rows: int = API_DEFAULT_ROWS, chain: ChainArg = None,
                asset: AssetArg = None, window: WindowArg = None) -> TaintResult:
    """How much of what the sources held reached each later output: an output 'txid:vout', a
    txid (all its outputs), an address or 'cluster:<id>' (all outputs paying it). Ethereum:
    a transfer id, a transaction hash (its transfers) or an account (all it sent in the
    window), one asset (ETH by default; '*' is refused: amounts of assets do not add)."""

    async def work() -> TaintResult:
        c = check_sources(sources, asked(chain))  # before any query
        limits = TaintLimits(max_hops=max_hops, max_rows=max_rows)
        t = await run_async(info.context.graph, taint_steps(
            method.value, sources, limits, chain=c, asset=asset, window=window_of(window)))
        return _result(t)

    return await or_problem(work)


@strawberry.type
class Query:
    taint: TaintResult = strawberry.field(resolver=taint)
