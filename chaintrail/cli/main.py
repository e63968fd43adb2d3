"""The `chaintrail` command: composes the layers below; holds no logic of its own."""

from __future__ import annotations

import typer

from chaintrail.cli.apikey import apikey_app
from chaintrail.cli.cluster import cluster
from chaintrail.cli.common import err, load_settings
from chaintrail.cli.db import db_app
from chaintrail.cli.exposure import exposure
from chaintrail.cli.load import load_app
from chaintrail.cli.query import query
from chaintrail.cli.sample import sample_app
from chaintrail.cli.serve import serve
from chaintrail.cli.taint import taint
from chaintrail.cli.trace import trace_app
from chaintrail.errors import ConfigError

app = typer.Typer(
    name="chaintrail",
    help="Graph analytics for cryptocurrency investigations, on Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(ctx: typer.Context) -> None:
    """Settings come from CHAINTRAIL_* environment variables (see the README)."""
    try:
        ctx.obj = load_settings()
    except ConfigError as e:
        err.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from e


app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")
app.add_typer(sample_app, name="sample")
app.add_typer(trace_app, name="trace")
app.add_typer(apikey_app, name="apikey")
app.command("query")(query)
app.command("cluster")(cluster)
app.command("taint")(taint)
app.command("exposure")(exposure)
app.command("serve")(serve)

if __name__ == "__main__":
    app()
