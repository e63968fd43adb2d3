"""`chaintrail taint --method poison|haircut|fifo --source S ...`: how much of the sources' value
reached each later output, as JSON or a table. Ethereum (`--chain ethereum`, or 0x sources):
transfers, transactions or accounts, one asset (`--asset`), within a window of blocks or
times (docs/taint.md#ethereum)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from analysis.account_taint import EthTaint
from analysis.taint import METHODS, Taint, TaintLimits
from analysis.taint import taint as compute_taint
from chaintrail.cli.common import (
    boundary,
    check_format,
    load_settings,
    open_graph,
    out,
    setup_logging,
)
from chaintrail.cli.trace import (
    AssetOpt,
    ChainOpt,
    FromBlock,
    Since,
    ToBlock,
    Until,
    window_of,
)
from chaintrail.errors import ParameterError
from loaders.endpoints import check_sources
from loaders.ethereum.address import displayed

MethodOpt = Annotated[str, typer.Option(
    "--method", help="poison (marks every output downstream), haircut (shares in proportion) "
                     "or fifo (first satoshi in, first out).")]
SourceOpt = Annotated[list[str], typer.Option(
    "--source", help="An output txid:vout, a txid (all its outputs), an address (all outputs "
                     "paying it) or cluster:<cluster id> (all outputs paying its members). "
                     "Ethereum: a transfer id, a transaction hash (its transfers) or an "
                     "account (all it sent in the window). Repeatable.")]
MaxHops = Annotated[int, typer.Option("--max-hops", help="Spends to follow from a source (1-20).")]
MaxRows = Annotated[int, typer.Option(
    "--max-rows", help="Outputs collected at most (whole transactions, in chain order).")]
Format = Annotated[str, typer.Option("--format", help="json or table.")]

COLUMNS = ("hop", "txid", "vout", "address", "value", "tainted_value", "status")
ETH_COLUMNS = ("hop", "txid", "from_address", "address", "value", "tainted_value", "status")


@boundary
def taint(method: MethodOpt, source: SourceOpt, max_hops: MaxHops = 6,
          max_rows: MaxRows = 10_000, fmt: Format = "json", chain: ChainOpt = None,
          asset: AssetOpt = None, from_block: FromBlock = None, to_block: ToBlock = None,
          since: Since = None, until: Until = None) -> None:
    """Taint from the sources: one row per output it reached, with the tainted amount
    (satoshi), the hop it was reached at, and whether its taint moved on. Ethereum: one row
    per transfer that carried taint, amounts in the asset's base unit."""
    settings = load_settings()
    setup_logging(settings)
    check_format(fmt, ("json", "table"))
    if method not in METHODS:
        raise ParameterError(f"unknown taint method {method!r}; one of {', '.join(METHODS)}")
    chain = check_sources(source, chain)  # a clear error for a mistyped address, before any query
    limits = TaintLimits(max_hops=max_hops, max_rows=max_rows)
    with open_graph(settings) as graph:
        result = compute_taint(graph, method, source, limits, chain=chain, asset=asset,
                               window=window_of(from_block, to_block, since, until))
    _print(result, fmt)


def _print(result: Taint | EthTaint, fmt: str) -> None:
    eth = isinstance(result, EthTaint)
    d = displayed(result.as_dict()) if eth else result.as_dict()
    if fmt == "json":
        typer.echo(json.dumps(d))
        return
    cols = ETH_COLUMNS if eth else COLUMNS
    unit = d["asset"] if eth else "sat"
    table = Table(*cols, title=f"{d['method']} taint from {', '.join(d['sources'])}"
                               + (f" ({unit})" if eth else ""))
    for r in d["rows"]:
        table.add_row(*("" if r[c] is None else str(r[c]) for c in cols))
    out.print(table)
    out.print(f"tainted in {d['tainted_in']} {unit} (from {d['source_outputs']} "
              f"{'transfer(s) or account(s)' if eth else 'output(s)'}); "
              f"out {d['tainted_out']} (unspent {d['tainted_unspent']}, beyond the horizon "
              f"{d['tainted_beyond']}); fees {d['tainted_fees']}; "
              f"{d['transactions']} transactions, max_hops {d['max_hops']}", highlight=False)
    if d["source_overlap"] not in (0, "0"):
        out.print(f"source overlap: {d['source_overlap']} {unit} reached a source from another "
                  "(the source counts in full)", highlight=False)
    out.print(f"rounding: {d['rounding']}", highlight=False)
    for why in d["truncation"]:
        out.print(f"truncated: {why}", highlight=False)
