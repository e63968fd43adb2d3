"""`chaintrail load ethereum ...` and `chaintrail load ethereum-rpc ...`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from chaintrail.cli.common import boundary, bulk, err, load_settings, open_graph, setup_logging
from chaintrail.errors import ConfigError
from loaders.ethereum.load import BATCH_TRANSFERS, EthereumLoader
from loaders.ethereum.rpc import EthereumRpcSource, EthRpc, NodeGenesis, token_fetcher
from loaders.progress import make_progress

BatchOption = Annotated[int, typer.Option(
    "--batch-transfers", min=1,
    help="Transfers and transactions per write transaction (whole blocks; at least one).")]


@boundary
@bulk
def load_ethereum(
    paths: Annotated[list[Path], typer.Argument(
        help="ethereum-etl exports (CSV or JSON lines: blocks, transactions, receipts, logs, "
             "token_transfers, traces, tokens, contracts) or directories holding them.")],
    batch_transfers: BatchOption = BATCH_TRANSFERS,
) -> None:
    """Load ethereum-etl exports: accounts, transactions and exact value transfers;
    idempotent and resumable, block by block."""
    settings = load_settings()
    setup_logging(settings)
    for p in paths:
        if not p.exists():
            raise ConfigError(f"{p}: no such file or directory")
    with open_graph(settings) as graph:
        loader = EthereumLoader(graph, writers=settings.load_writers,
                                batch_transfers=batch_transfers,
                                progress=make_progress("ethereum", err))
        summary = loader.load_files(paths)
    typer.echo(json.dumps(summary.as_dict()))


@boundary
@bulk
def load_ethereum_rpc(
    url: Annotated[str, typer.Option(help="Node URL, e.g. http://127.0.0.1:8545/")],
    from_: Annotated[int, typer.Option("--from", min=0, help="First block number.")],
    to: Annotated[int, typer.Option("--to", min=0, help="Last block number (inclusive).")],
    traces: Annotated[bool, typer.Option(
        "--traces/--no-traces",
        help="Load internal transfers with the best trace method the node offers.")] = True,
    batch_transfers: BatchOption = BATCH_TRANSFERS,
) -> None:
    """Load a block range from an Ethereum node: blocks with full transactions, receipts
    (status, ERC-20 Transfer logs) and internal transfers from traces."""
    settings = load_settings()
    setup_logging(settings)
    if to < from_:
        raise ConfigError(f"--to ({to}) is below --from ({from_})")
    rpc = EthRpc(url)
    try:
        source = EthereumRpcSource(rpc, traces=traces)
        with open_graph(settings) as graph:
            loader = EthereumLoader(graph, writers=settings.load_writers,
                                    batch_transfers=batch_transfers,
                                    progress=make_progress("ethereum-rpc", err))
            summary = loader.load_blocks(source.blocks(from_, to), tokens=token_fetcher(rpc),
                                          genesis=NodeGenesis(rpc))
            summary.trace_method = source.trace_method
    finally:
        rpc.close()
    typer.echo(json.dumps(summary.as_dict()))
