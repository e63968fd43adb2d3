"""`chaintrail exposure TARGET`: received (sent) value by tag category, direct and indirect.
Ethereum (`--chain ethereum`, or a 0x target): an account, one asset (`--asset`), within a
window of blocks or times (docs/exposure.md#ethereum)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from analysis.exposure import (
    MAX_HOPS,
    Direction,
    Exposure,
    ExposureLimits,
    parse_target,
)
from analysis.exposure import exposure as compute_exposure
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
from chaintrail.errors import ConfigError
from loaders.endpoints import check_target
from loaders.ethereum.address import displayed

TargetArg = Annotated[str, typer.Argument(
    help="An address (that address alone), or cluster:<id> (the whole cluster; its id is its "
         "smallest address). Ethereum: an account.")]
DirectionOpt = Annotated[str, typer.Option(
    "--direction", help="received: where its money came from; sent: where its money went.")]
MaxHops = Annotated[int, typer.Option(
    "--max-hops", help=f"Hops through untagged addresses (1-{MAX_HOPS}); 1 is direct only.")]
MaxTxs = Annotated[int, typer.Option(
    "--max-txs", help="Transactions visited at most; what is left is reported as cut.")]
MaxFanout = Annotated[int, typer.Option(
    "--max-fanout", help="Inputs (outputs) followed per transaction, the largest first.")]
Format = Annotated[str, typer.Option("--format", help="json or table.")]


@boundary
def exposure(target: TargetArg, direction: DirectionOpt = "received", max_hops: MaxHops = 3,
             max_txs: MaxTxs = 10_000, max_fanout: MaxFanout = 1_000,
             fmt: Format = "json", chain: ChainOpt = None, asset: AssetOpt = None,
             from_block: FromBlock = None, to_block: ToBlock = None, since: Since = None,
             until: Until = None) -> None:
    """How much of what TARGET received (sent) came from (went to) each tag category: directly
    (one hop) or through untagged intermediaries, as amounts and shares."""
    settings = load_settings()
    setup_logging(settings)
    check_format(fmt, ("json", "table"))
    if direction not in ("received", "sent"):
        raise ConfigError(f"unknown direction {direction!r}; one of received, sent")
    limits = ExposureLimits(max_hops=max_hops, max_txs=max_txs, max_fanout=max_fanout)
    d: Direction = "received" if direction == "received" else "sent"
    window = window_of(from_block, to_block, since, until)
    if check_target(target, chain) == "ethereum":  # a mistyped address: before any query
        with open_graph(settings) as graph:
            result = compute_exposure(graph, target, d, limits, chain="ethereum", asset=asset,
                                      window=window)
    else:
        tgt = parse_target(target)
        with open_graph(settings) as graph:
            result = compute_exposure(graph, tgt, d, limits, chain=chain, asset=asset,
                                      window=window)
    _print(result, fmt)


def _print(result: Exposure, fmt: str) -> None:
    eth = result.chain == "ethereum"
    if fmt == "json":
        typer.echo(json.dumps(displayed(result.as_dict()) if eth else result.as_dict()))
        return
    unit = displayed(result.asset) if eth else "sat"
    table = Table("category", "direct_value", "indirect_value", "share",
                  title=f"{result.direction} exposure of {displayed(result.target)} "
                        f"({result.total} {unit}, {result.max_hops} hops)")
    for r in result.rows:
        table.add_row(r.category, str(r.direct_value), str(r.indirect_value), f"{r.share:.6f}")
    out.print(table)
    out.print(f"not exposure: own {result.own}, untagged {result.untagged}, "
              f"unknown {result.unknown}, cut {result.cut} "
              f"({'base units of ' + unit if eth else 'satoshi'})", highlight=False)
    for why in result.truncated:
        out.print(f"truncated: {why}", highlight=False)
