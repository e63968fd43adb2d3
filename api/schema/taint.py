"""Taint: `taint(method, sources, maxHops, maxRows)`, the CLI's `chaintrail taint` through
GraphQL (the same steps, analysis.taint.taint_steps, driven by the API's AsyncGraph), with its
flow graph for a visualiser.

Amounts are as the CLI reports them: whole satoshi, a haircut share rounded down (`rounding`
says so); `taintedExact` keeps each row's amount exactly ('40/3')."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from analysis.steps import run_async
from analysis.taint import Taint, TaintLimits, source_kind, taint_steps
from api.graph import taint_graph
from api.schema.errors import Problem, or_problem
from api.schema.scalars import Satoshi
from api.schema.tracing import Graph
from loaders.bitcoin.address import decode_address


@strawberry.enum
class TaintMethod(Enum):
    POISON = "poison"
    HAIRCUT = "haircut"
    FIFO = "fifo"


@strawberry.type
class TaintRow:
    """An output the taint reached, at the fewest spends from a source."""

    hop: int
    txid: str
    vout: int
    address: str | None
    value: Satoshi
    tainted_value: Satoshi
    tainted_exact: str = strawberry.field(
        description="The tainted amount exactly: '12', or a haircut share as '40/3'.")
    status: str = strawberry.field(
        description="Where its taint is now: spent (within the answer), unspent, or beyond "
                    "(spent past max_hops or a truncation).")
    height: int | None


@strawberry.type
class TaintResultType:
    method: TaintMethod
    sources: list[str]
    source_outputs: int
    max_hops: int
    rows: list[TaintRow]
    transactions: int
    tainted_in: Satoshi
    tainted_out: Satoshi
    tainted_unspent: Satoshi
    tainted_beyond: Satoshi
    tainted_fees: Satoshi
    source_overlap: Satoshi
    rounding: str
    truncated: bool
    truncation: list[str]
    result: strawberry.Private[Taint]

    @strawberry.field(description="The flow graph: addresses and transactions, `spend` edges "
                                  "into a transaction, `payment` edges out of it.")
    def graph(self) -> Graph:
        return Graph.of(taint_graph(self.result))


TaintResult = Annotated[TaintResultType | Problem, strawberry.union("TaintResult")]


def _result(t: Taint) -> TaintResultType:
    d = t.as_dict()  # the CLI's JSON: the same rounding, the same totals
    return TaintResultType(
        method=TaintMethod(t.method), sources=d["sources"], source_outputs=d["source_outputs"],
        max_hops=d["max_hops"], transactions=d["transactions"], tainted_in=d["tainted_in"],
        tainted_out=d["tainted_out"], tainted_unspent=d["tainted_unspent"],
        tainted_beyond=d["tainted_beyond"], tainted_fees=d["tainted_fees"],
        source_overlap=d["source_overlap"], rounding=d["rounding"], truncated=d["truncated"],
        truncation=d["truncation"], result=t,
        rows=[TaintRow(hop=r.hop, txid=r.txid, vout=r.vout, address=r.address,
                       value=Satoshi(r.value),
                       tainted_value=Satoshi(r.tainted_value), tainted_exact=str(r.exact),
                       status=r.status, height=r.height) for r in t.rows])


async def taint(info: strawberry.Info, method: TaintMethod, sources: list[str],
                max_hops: int = 6, max_rows: int = 10_000) -> TaintResult:
    """How much of what the sources held reached each later output: an output 'txid:vout', a
    txid (all its outputs), an address or 'cluster:<id>' (all outputs paying it)."""

    async def work() -> TaintResult:
        for s in sources:
            kind, key = source_kind(s)
            if kind in ("address", "cluster"):
                decode_address(key)  # InvalidAddress, before any query (as the CLI)
        limits = TaintLimits(max_hops=max_hops, max_rows=max_rows)
        t = await run_async(info.context.graph, taint_steps(method.value, sources, limits))
        return _result(t)

    return await or_problem(work)


@strawberry.type
class Query:
    taint: TaintResult = strawberry.field(resolver=taint)
