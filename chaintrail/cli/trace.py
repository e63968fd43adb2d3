"""`chaintrail trace forward|backward START`: the money trail, as rows or as a graph.

Ethereum (`--chain ethereum`, or a 0x start): time-respecting trails over accounts, one
asset (`--asset`, ETH by default) or every one (`--asset '*'`), within a window of blocks
(`--from-block`, `--to-block`) or times (`--since`, `--until`). Addresses are shown with their
EIP-55 checksum case, amounts as exact decimal strings. The options here are shared by
`chaintrail taint` and `chaintrail exposure`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from analysis.accounts import Window, infer_chain
from analysis.exposure import cluster_flows
from analysis.trace import (
    Direction,
    Trace,
    TraceLimits,
    paths,
    paths_graph,
    trace,
)
from api.graph import cluster_flows_graph, vis_graph
from chaintrail.cli.common import (
    boundary,
    check_format,
    load_settings,
    open_graph,
    out,
    setup_logging,
)
from chaintrail.errors import ConfigError, ParameterError
from loaders.bitcoin.address import decode_address
from loaders.endpoints import check_path_ends, check_start
from loaders.ethereum.address import displayed

trace_app = typer.Typer(help="Follow the money from an address, a transaction or an output.",
                        no_args_is_help=True)

Start = Annotated[str, typer.Argument(help="An address, a txid, or an output as txid:vout.")]
MaxHops = Annotated[int, typer.Option("--max-hops", help="Hops to follow (1-20).")]
MinValue = Annotated[int, typer.Option("--min-value", help="Ignore outputs below (satoshi).")]
MaxFanout = Annotated[int, typer.Option(
    "--max-fanout", help="Outputs (inputs) followed per transaction, the largest first.")]
MaxRows = Annotated[int, typer.Option("--max-rows", help="Rows at most.")]
StopAt = Annotated[list[str] | None, typer.Option(
    "--stop-at", help="Tag category where the trail stops (repeatable), e.g. exchange.")]
Format = Annotated[str, typer.Option("--format", help="json, table or graph-json.")]
MaxStart = Annotated[int, typer.Option(
    "--max-start", help="Start outputs followed, the largest first (1-10000).")]
ChainOpt = Annotated[str | None, typer.Option(
    "--chain", help="bitcoin or ethereum (default: ethereum for a 0x address, transaction "
                    "hash or transfer id, else bitcoin).")]
AssetOpt = Annotated[str | None, typer.Option(
    "--asset", help="Ethereum: ETH (the default; a transfer's own asset for a transfer id), "
                    "a token contract address, or '*' for every asset (traces and paths).")]
FromBlock = Annotated[int | None, typer.Option(
    "--from-block", help="Ethereum: only transfers in this block or later.")]
ToBlock = Annotated[int | None, typer.Option(
    "--to-block", help="Ethereum: only transfers in this block or earlier.")]
Since = Annotated[str | None, typer.Option(
    "--since", help="Ethereum: only transfers at or after this time (unix seconds, or ISO "
                    "8601: 2023-05-01 or 2023-05-01T12:00:00Z; UTC when no zone).")]
Until = Annotated[str | None, typer.Option(
    "--until", help="Ethereum: only transfers at or before this time (as --since).")]



def unix_time(text: str | None, option: str) -> int | None:
    """Unix seconds from digits or an ISO 8601 date or time (UTC when it names no zone)."""
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        t = datetime.fromisoformat(text)
    except ValueError as e:
        raise ParameterError(f"{option} must be unix seconds or an ISO 8601 date or time, "
                             f"not {text!r}") from e
    return int((t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp())


def window_of(from_block: int | None, to_block: int | None, since: str | None,
              until: str | None) -> Window | None:
    """The Ethereum window the options ask for (None: none asked for)."""
    w = Window(from_block, to_block, unix_time(since, "--since"), unix_time(until, "--until"))
    return None if w.empty else w



def _run(direction: Direction, start: str, max_hops: int, min_value: int, max_fanout: int,
         max_rows: int, stop_at: list[str] | None, fmt: str, max_start: int, chain: str | None,
         asset: str | None, window: Window | None) -> None:
    settings = load_settings()
    setup_logging(settings)
    check_format(fmt, ("json", "table", "graph-json"))
    chain = check_start(start, chain)  # a clear error for a mistyped address, before any query
    limits = TraceLimits(max_hops=max_hops, min_value=min_value, max_fanout=max_fanout,
                         max_rows=max_rows, stop_at_categories=tuple(stop_at or ()),
                         max_start=max_start)
    with open_graph(settings) as graph:
        result = trace(graph, start, direction, limits, chain=chain, asset=asset,
                       window=window)
    _print(result, fmt)


def graph_json(g: dict[str, Any]) -> dict[str, Any]:
    """`--format graph-json`: the visualiser form that the API's `graph` field and /export
    serve (api.graph: `nodes {id kind label properties}`, `edges {id source target kind value
    time properties}`), so a front-end draws a CLI answer as it draws the API's; the answer's
    own fields (start, direction, truncation, notes) stand beside `nodes` and `edges`."""
    return {**{k: v for k, v in g.items() if k not in ("nodes", "edges")}, **vis_graph(g)}


def _print(result: Trace, fmt: str) -> None:
    eth = result.chain == "ethereum"
    if fmt == "json":
        typer.echo(json.dumps(displayed(result.as_dict()) if eth else result.as_dict()))
    elif fmt == "graph-json":
        typer.echo(json.dumps(graph_json(displayed(result.as_graph()) if eth
                                         else result.as_graph())))
    else:
        cols = ["hop", "txid", "height", "from_address", "to_address", "value", "to_tags"]
        if eth:
            cols[-1:-1] = ["asset", "kind"]
        title = f"{result.direction} from {displayed(result.start)}"
        if eth:
            title += f" ({result.as_dict()['asset']}, time-respecting)"
        table = Table(*cols, title=title)
        for r in result.rows:
            table.add_row(*(_cell(c, displayed(r[c])) for c in cols))
        out.print(table)
        for why in result.truncated:
            out.print(f"truncated: {why}", highlight=False)


def _cell(col: str, value: Any) -> str:
    if col == "to_tags":
        return ", ".join(f"{t['label']} ({t['category']})" for t in value if t)
    return "" if value is None else str(value)


@trace_app.command("forward")
@boundary
def forward(start: Start, max_hops: MaxHops = 6, min_value: MinValue = 0,
            max_fanout: MaxFanout = 100, max_rows: MaxRows = 1000, stop_at: StopAt = None,
            fmt: Format = "json", max_start: MaxStart = 1000, chain: ChainOpt = None,
            asset: AssetOpt = None, from_block: FromBlock = None, to_block: ToBlock = None,
            since: Since = None, until: Until = None) -> None:
    """Where did the money go: spenders of the start's outputs, their outputs, and so on.
    Ethereum: an account's transfers out (from --from-block/--since), then each recipient's
    transfers out at or after the one that paid it."""
    _run("forward", start, max_hops, min_value, max_fanout, max_rows, stop_at, fmt, max_start,
         chain, asset, window_of(from_block, to_block, since, until))


@trace_app.command("backward")
@boundary
def backward(start: Start, max_hops: MaxHops = 6, min_value: MinValue = 0,
             max_fanout: MaxFanout = 100, max_rows: MaxRows = 1000, stop_at: StopAt = None,
             fmt: Format = "json", max_start: MaxStart = 1000, chain: ChainOpt = None,
             asset: AssetOpt = None, from_block: FromBlock = None, to_block: ToBlock = None,
             since: Since = None, until: Until = None) -> None:
    """Where did the money come from: the inputs that funded the start's outputs, and so on.
    Ethereum: an account's transfers in (up to --to-block/--until), then each sender's
    transfers in at or before the one it paid with."""
    _run("backward", start, max_hops, min_value, max_fanout, max_rows, stop_at, fmt,
         max_start, chain, asset, window_of(from_block, to_block, since, until))


@trace_app.command("paths")
@boundary
def trace_paths(
    source: Annotated[str, typer.Argument(help="From: an address or cluster:<id>.")],
    target: Annotated[str, typer.Argument(help="To: an address or cluster:<id>.")],
    max_hops: Annotated[int, typer.Option("--max-hops", help="Hops (1-8).")] = 6,
    k: Annotated[int, typer.Option("--k", help="Paths to return (1-10).")] = 3,
    min_value: MinValue = 0,
    max_fanout: Annotated[int, typer.Option(
        "--max-fanout", help="Skip transactions with more inputs or outputs (super nodes).")
    ] = 100,
    include_super_nodes: Annotated[bool, typer.Option(
        "--include-super-nodes", help="Traverse super nodes too (slower).")] = False,
    fmt: Format = "json",
    chain: ChainOpt = None, asset: AssetOpt = None, from_block: FromBlock = None,
    to_block: ToBlock = None, since: Since = None, until: Until = None,
) -> None:
    """The k shortest money paths from one address or cluster to another (Ethereum: between
    two accounts, time-respecting)."""
    settings = load_settings()
    setup_logging(settings)
    check_format(fmt, ("json", "table", "graph-json"))
    chain = check_path_ends(source, target, chain)  # before any query
    with open_graph(settings) as graph:
        result = paths(graph, source, target, max_hops=max_hops, k=k, min_value=min_value,
                       max_fanout=max_fanout, include_super_nodes=include_super_nodes,
                       chain=chain, asset=asset,
                       window=window_of(from_block, to_block, since, until))
    eth = chain == "ethereum"
    if fmt == "json":
        typer.echo(json.dumps(displayed(result) if eth else result))
    elif fmt == "graph-json":
        typer.echo(json.dumps(graph_json(displayed(paths_graph(result)) if eth
                                         else paths_graph(result))))
    elif eth:
        table = Table("rank", "hops", "bottleneck_value", "asset", "txids", "addresses",
                      title=f"paths {displayed(result['from'])} -> {displayed(result['to'])} "
                            "(time-respecting)")
        for p in result["paths"]:
            table.add_row(str(p["rank"]), str(p["hops"]), _cell("", p["bottleneck_value"]),
                          _cell("", displayed(p["asset"])), "\n".join(p["txids"]),
                          "\n".join(displayed(p["addresses"])))
        out.print(table)
        for note in result["notes"]:
            out.print(f"note: {note}", highlight=False)
    else:
        table = Table("rank", "hops", "bottleneck_value", "txids", "addresses",
                      title=f"paths {source} -> {target}")
        for p in result["paths"]:
            table.add_row(str(p["rank"]), str(p["hops"]), str(p["bottleneck_value"]),
                          "\n".join(p["txids"]), "\n".join(a or "-" for a in p["addresses"]))
        out.print(table)
        for note in result["notes"]:
            out.print(f"note: {note}", highlight=False)


@trace_app.command("cluster-flows")
@boundary
def trace_cluster_flows(
    cluster_id: Annotated[str, typer.Argument(help="The cluster id (its smallest address).")],
    direction: Annotated[str, typer.Option("--direction", help="out or in.")] = "out",
    max_hops: Annotated[int, typer.Option("--max-hops", help="Hops (1-10).")] = 2,
    fmt: Format = "json",
    chain: ChainOpt = None,
) -> None:
    """Value between clusters, hop by hop: the picture an analyst draws first (Bitcoin)."""
    settings = load_settings()
    setup_logging(settings)
    check_format(fmt, ("json", "table", "graph-json"))
    if infer_chain(cluster_id.removeprefix("cluster:"), chain) == "ethereum":
        raise ParameterError("cluster flows are Bitcoin only: Ethereum accounts are not "
                             "clustered; follow an account with `chaintrail trace forward "
                             "--chain ethereum` or `chaintrail exposure` instead")
    if direction not in ("out", "in"):
        raise ConfigError(f"--direction must be out or in, not {direction!r}")
    decode_address(cluster_id.removeprefix("cluster:"))
    with open_graph(settings) as graph:
        result = cluster_flows(graph, cluster_id.removeprefix("cluster:"),
                               "out" if direction == "out" else "in", max_hops)
    flows = result.as_dict()
    if fmt == "json":
        typer.echo(json.dumps(flows))
    elif fmt == "graph-json":
        typer.echo(json.dumps({"truncated": flows["truncated"],
                               "truncation": flows["truncation"],
                               **cluster_flows_graph(result)}))
    else:
        table = Table("hop", "from_cluster", "to_cluster", "value", "tx_count",
                      title=f"cluster flows {direction} of {result.cluster_id}")
        for r in result.rows:
            table.add_row(*(str(r[c]) if r[c] is not None else "" for c in
                            ("hop", "from_cluster", "to_cluster", "value", "tx_count")))
        out.print(table)
        for why in result.truncated:
            out.print(f"truncated: {why}", highlight=False)
