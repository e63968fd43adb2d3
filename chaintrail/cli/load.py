"""`chaintrail load ...`: bulk loads into Neo4j."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from analysis.clustering import ClusterConfig
from chaintrail.cli.cluster import ChangeOption, CoinJoinOption, cluster_config
from chaintrail.cli.common import boundary, err, load_settings, open_graph, setup_logging
from chaintrail.cli.tags import load_tags
from chaintrail.errors import ConfigError
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.network import NETWORKS
from loaders.bitcoin.rpc import BitcoinRpc, iter_rpc_blocks
from loaders.progress import make_progress

load_app = typer.Typer(help="Load chain data into Neo4j.", no_args_is_help=True)

ClusterOption = Annotated[bool, typer.Option(
    "--cluster/--no-cluster",
    help="Cluster the new transactions after the load (off: leave them for `chaintrail cluster`).")]


def _requested(coinjoin_filter: bool | None, change_heuristics: str | None) -> ClusterConfig | None:
    if coinjoin_filter is None and change_heuristics is None:
        return None  # whatever the graph is clustered with
    return cluster_config(coinjoin_filter, change_heuristics)


@load_app.command("bitcoin")
@boundary
def load_bitcoin(
    paths: Annotated[list[Path], typer.Argument(help="blk*.dat files, a blocks directory, "
                                                "blk-framed .bz2 files or raw block files.")],
    prevouts: Annotated[list[Path] | None, typer.Option(
        "--prevouts", help="JSON-lines prevouts (repeatable): the outputs these blocks spend.")
    ] = None,
    height: Annotated[int | None, typer.Option(
        help="Height of a single raw block loaded without its ancestors.")] = None,
    network: Annotated[str, typer.Option(
        help="Network of raw blocks and prevouts (blk files carry their own magic).")
    ] = "mainnet",
    cluster: ClusterOption = True,
    coinjoin_filter: CoinJoinOption = None,
    change_heuristics: ChangeOption = None,
) -> None:
    """Load Bitcoin blocks: verified, linked to what they spend, idempotent and resumable."""
    settings = load_settings()
    setup_logging(settings)
    if network not in NETWORKS:
        raise ConfigError(f"unknown network {network!r}; one of {', '.join(NETWORKS)}")
    for p in [*paths, *(prevouts or [])]:
        if not p.exists():
            raise ConfigError(f"{p}: no such file or directory")
    with open_graph(settings) as graph:
        loader = BitcoinLoader(
            graph, batch_txs=settings.load_batch_txs, writers=settings.load_writers,
            progress=make_progress("bitcoin", err), cluster=cluster,
            cluster_config=_requested(coinjoin_filter, change_heuristics),
            cluster_warn_size=settings.cluster_warn_size,
        )
        summary = loader.load(
            paths, prevout_files=prevouts or [], height=height, network=NETWORKS[network]
        )
    typer.echo(json.dumps(summary.as_dict()))


@load_app.command("bitcoin-rpc")
@boundary
def load_bitcoin_rpc(
    url: Annotated[str, typer.Option(help="Node URL, e.g. http://user:pass@127.0.0.1:8332/")],
    from_: Annotated[int, typer.Option("--from", min=0, help="First height.")],
    to: Annotated[int, typer.Option("--to", min=0, help="Last height (inclusive).")],
    network: Annotated[str, typer.Option(help="The node's network.")] = "mainnet",
    cluster: ClusterOption = True,
    coinjoin_filter: CoinJoinOption = None,
    change_heuristics: ChangeOption = None,
) -> None:
    """Load a height range from a Bitcoin Core node (getblock verbosity 3, else 2)."""
    settings = load_settings()
    setup_logging(settings)
    if network not in NETWORKS:
        raise ConfigError(f"unknown network {network!r}; one of {', '.join(NETWORKS)}")
    if to < from_:
        raise ConfigError(f"--to ({to}) is below --from ({from_})")
    rpc = BitcoinRpc(url)
    try:
        with open_graph(settings) as graph:
            loader = BitcoinLoader(
                graph, batch_txs=settings.load_batch_txs, writers=settings.load_writers,
                progress=make_progress("bitcoin-rpc", err), cluster=cluster,
                cluster_config=_requested(coinjoin_filter, change_heuristics),
                cluster_warn_size=settings.cluster_warn_size,
            )
            blocks = ((b.block, b.prevouts) for b in iter_rpc_blocks(rpc, from_, to))
            summary = loader.load_blocks(blocks, NETWORKS[network])
    finally:
        rpc.close()
    typer.echo(json.dumps(summary.as_dict()))


load_app.command("tags")(load_tags)
