"""`chaintrail load tags`: attribution tags (GraphSense TagPacks, OFAC address lists)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from chaintrail.cli.common import boundary, bulk, load_settings, open_graph, setup_logging
from chaintrail.errors import ConfigError, InputError
from loaders.bitcoin.network import NETWORKS
from loaders.tags.load import TagLoader


@boundary
@bulk
def load_tags(
    paths: Annotated[list[Path], typer.Argument(
        help="TagPack YAML files, address lists (.txt one a line, CSV address,name, JSON "
             "array) or directories of them (searched recursively), detected by content.")],
    source: Annotated[str | None, typer.Option(
        help="Source of plain address lists (default: `ofac` for OFAC lists, else the file "
             "name). TagPacks carry their own.")] = None,
    category: Annotated[str | None, typer.Option(
        help="Category of plain address lists (default: `sanctioned` for OFAC lists). "
             "TagPacks carry their own.")] = None,
    network: Annotated[str, typer.Option(
        help="Bitcoin network of the tagged addresses (a test chain's tags: testnet, "
             "regtest, ...); addresses of any other network are invalid entries.")
    ] = "mainnet",
) -> None:
    """Load attribution tags: invalid entries are reported and skipped, reloading is idempotent.
    A file that does not parse is named and skipped; the rest loads, and the command then
    exits non-zero."""
    settings = load_settings()
    setup_logging(settings)
    for p in paths:
        if not p.exists():
            raise ConfigError(f"{p}: no such file or directory")
    if network not in NETWORKS:
        raise ConfigError(f"unknown network {network!r}; one of {', '.join(NETWORKS)}")
    with open_graph(settings) as graph:
        summary = TagLoader(graph).load(paths, source=source, category=category,
                                        network=NETWORKS[network])
    typer.echo(json.dumps(summary.as_dict()))
    if summary.files_failed:
        raise InputError("; ".join(summary.files_failed),
                         source=f"{len(summary.files_failed)} tag file(s) could not be read "
                                "and were skipped (the other files were loaded)")
