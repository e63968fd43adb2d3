"""`chaintrail cluster`: finish or rebuild address clustering."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from analysis.clustering import (
    ClusterConfig,
    Clusterer,
    resolve_config,
    stored_config,
)
from analysis.heuristics import change
from chaintrail.cli.common import boundary, bulk, err, load_settings, open_graph, setup_logging
from cypher.schema import apply_schema
from loaders.progress import make_progress

CoinJoinOption = Annotated[bool | None, typer.Option(
    "--coinjoin-filter/--no-coinjoin-filter",
    help="Flagged CoinJoins do not merge clusters (the default when nothing is stored yet).",
    show_default=False)]
ChangeOption = Annotated[str | None, typer.Option(
    "--change-heuristics",
    help="Comma-separated change heuristics whose change output joins the inputs' cluster: "
         "address_reuse, one_time_change, optimal_change, power_of_ten (default: none).",
    show_default=False)]


def cluster_config(coinjoin_filter: bool | None, change_heuristics: str | None) -> ClusterConfig:
    """The configuration the options ask for (unknown heuristic names are a ConfigError)."""
    return ClusterConfig(
        coinjoin_filter=True if coinjoin_filter is None else coinjoin_filter,
        change_heuristics=change.parse_names(change_heuristics or ""),
    )


def requested_config(coinjoin_filter: bool | None,
                     change_heuristics: str | None) -> ClusterConfig | None:
    """The configuration the options ask for, or None when they ask for nothing (then the
    stored one applies)."""
    if coinjoin_filter is None and change_heuristics is None:
        return None
    return cluster_config(coinjoin_filter, change_heuristics)


@boundary
@bulk
def cluster(
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Clear clusters and evidence and cluster every transaction again.")
    ] = False,
    coinjoin_filter: CoinJoinOption = None,
    change_heuristics: ChangeOption = None,
) -> None:
    """Cluster the transactions still waiting (after `load --no-cluster` or an interrupted
    run), or with --rebuild everything, with the configuration stored in the graph."""
    settings = load_settings()
    setup_logging(settings)
    asked = requested_config(coinjoin_filter, change_heuristics)
    with open_graph(settings) as graph:
        apply_schema(graph)
        if rebuild:  # the options asked for, else what is stored, else the defaults
            config = asked or stored_config(graph) or cluster_config(None, None)
        else:
            config = resolve_config(graph, asked)
        clusterer = Clusterer(graph, config, warn_size=settings.cluster_warn_size)
        with make_progress("clustering", err) as progress:
            summary = clusterer.rebuild(progress) if rebuild else clusterer.run(progress)
    typer.echo(json.dumps({"config": config.params(), **summary.as_dict()}))
