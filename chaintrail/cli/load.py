"""`chaintrail load ...`: bulk loads into Neo4j."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from chaintrail.cli.cluster import ChangeOption, CoinJoinOption, requested_config
from chaintrail.cli.common import boundary, bulk, err, load_settings, open_graph, setup_logging
from chaintrail.cli.load_ethereum import load_ethereum, load_ethereum_rpc
from chaintrail.cli.tags import load_tags
from chaintrail.errors import ConfigError
from chaintrail.settings import Settings
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.network import NETWORKS, Network
from loaders.bitcoin.rpc import BitcoinRpc, iter_rpc_blocks
from loaders.progress import make_progress

load_app = typer.Typer(help="Load chain data into Neo4j.", no_args_is_help=True)

ClusterOption = Annotated[bool, typer.Option(
    "--cluster/--no-cluster",
    help="Cluster the new transactions after the load (off: leave them for `chaintrail cluster`).")]


def _network(name: str) -> Network:
    if name not in NETWORKS:
        raise ConfigError(f"unknown network {name!r}; one of {', '.join(NETWORKS)}")
    return NETWORKS[name]


def _loader(settings: Settings, graph: Graph, label: str, cluster: bool,
            coinjoin_filter: bool | None, change_heuristics: str | None) -> BitcoinLoader:
    """The loader both Bitcoin sources use: batching and writers from the settings, a
    progress bar, and the clustering the options ask for (None: the stored configuration)."""
    return BitcoinLoader(
        graph, batch_txs=settings.load_batch_txs, writers=settings.load_writers,
        progress=make_progress(label, err), cluster=cluster,
        cluster_config=requested_config(coinjoin_filter, change_heuristics),
        cluster_warn_size=settings.cluster_warn_size,
    )


@load_app.command("bitcoin")
@boundary
@bulk
def load_bitcoin(
    paths: Annotated[list[Path], typer.Argument(help="blk*.dat files, a blocks directory, "
                                                "blk-framed .bz2 files or raw block files.")],
    prevouts: Annotated[list[Path] | None, typer.Option(
        "--prevouts", help="JSON-lines prevouts (repeatable): the outputs these blocks spend.")
    ] = None,
    height: Annotated[int | None, typer.Option(
        min=0, max=2**31 - 1,
        help="Height of a single raw block loaded without its ancestors (refused when the "
             "block states another: BIP34, or a genesis parent).")] = None,
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
    net = _network(network)
    for p in [*paths, *(prevouts or [])]:
        if not p.exists():
            raise ConfigError(f"{p}: no such file or directory")
    with open_graph(settings) as graph:
        loader = _loader(settings, graph, "bitcoin", cluster, coinjoin_filter,
                         change_heuristics)
        summary = loader.load(paths, prevout_files=prevouts or [], height=height, network=net)
    typer.echo(json.dumps(summary.as_dict()))


@load_app.command("bitcoin-rpc")
@boundary
@bulk
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
    net = _network(network)
    if to < from_:
        raise ConfigError(f"--to ({to}) is below --from ({from_})")
    rpc = BitcoinRpc(url)
    try:
        with open_graph(settings) as graph:
            loader = _loader(settings, graph, "bitcoin-rpc", cluster, coinjoin_filter,
                             change_heuristics)
            blocks = ((b.block, b.prevouts) for b in iter_rpc_blocks(rpc, from_, to))
            summary = loader.load_blocks(blocks, net)
    finally:
        rpc.close()
    typer.echo(json.dumps(summary.as_dict()))


load_app.command("tags")(load_tags)
load_app.command("ethereum")(load_ethereum)
load_app.command("ethereum-rpc")(load_ethereum_rpc)
