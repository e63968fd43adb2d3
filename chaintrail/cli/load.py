"""`chaintrail load ...`: bulk loads into Neo4j."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Annotated

import typer

from chaintrail.cli.common import boundary, err, load_settings, open_graph, setup_logging
from chaintrail.errors import ConfigError
from chaintrail.settings import Settings
from db.instance import discard_database_store, import_database, start, stop
from loaders.bitcoin.bulk import ImportFiles, admin_arguments
from loaders.bitcoin.load import BitcoinLoader, Importer
from loaders.bitcoin.network import NETWORKS
from loaders.bitcoin.rpc import BitcoinRpc, iter_rpc_blocks
from loaders.progress import make_progress

load_app = typer.Typer(help="Load chain data into Neo4j.", no_args_is_help=True)


def _bulk_import(settings: Settings, files: ImportFiles) -> None:
    """Stop the managed server, run neo4j-admin import on the CSV files, start it again."""
    err.print("bulk: stopping Neo4j for neo4j-admin import ...")
    stop(settings)
    try:
        import_database(settings, admin_arguments(files))
    except BaseException:
        # The importer leaves an unusable store behind; the database was empty: empty it again.
        discard_database_store(settings)
        start(settings)
        raise
    start(settings)


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
    bulk: Annotated[bool, typer.Option(
        "--bulk", help="Initial load into an EMPTY managed database with neo4j-admin import "
        "(the server is stopped and restarted): several times faster than the online load.")
    ] = False,
) -> None:
    """Load Bitcoin blocks: verified, linked to what they spend, idempotent and resumable."""
    settings = load_settings()
    setup_logging(settings)
    if bulk and not settings.manage_db:
        raise ConfigError("--bulk needs the managed server (CHAINTRAIL_MANAGE_DB=true): "
                          "neo4j-admin writes the store files of a stopped server")
    if network not in NETWORKS:
        raise ConfigError(f"unknown network {network!r}; one of {', '.join(NETWORKS)}")
    for p in [*paths, *(prevouts or [])]:
        if not p.exists():
            raise ConfigError(f"{p}: no such file or directory")
    importer = None
    if bulk:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        importer = Importer(settings.home / "import" / f"bulk-{stamp}",
                            lambda files: _bulk_import(settings, files))
    with open_graph(settings) as graph:
        loader = BitcoinLoader(
            graph, batch_txs=settings.load_batch_txs, writers=settings.load_writers,
            progress=make_progress("bitcoin", err), bulk=importer,
        )
        summary = loader.load(
            paths, prevout_files=prevouts or [], height=height, network=NETWORKS[network]
        )
    if importer is not None:
        shutil.rmtree(importer.directory, ignore_errors=True)
    typer.echo(json.dumps(summary.as_dict()))


@load_app.command("bitcoin-rpc")
@boundary
def load_bitcoin_rpc(
    url: Annotated[str, typer.Option(help="Node URL, e.g. http://user:pass@127.0.0.1:8332/")],
    from_: Annotated[int, typer.Option("--from", min=0, help="First height.")],
    to: Annotated[int, typer.Option("--to", min=0, help="Last height (inclusive).")],
    network: Annotated[str, typer.Option(help="The node's network.")] = "mainnet",
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
                progress=make_progress("bitcoin-rpc", err),
            )
            blocks = ((b.block, b.prevouts) for b in iter_rpc_blocks(rpc, from_, to))
            summary = loader.load_blocks(blocks, NETWORKS[network])
    finally:
        rpc.close()
    typer.echo(json.dumps(summary.as_dict()))
