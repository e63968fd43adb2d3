"""`chaintrail apikey ...`: create, list and revoke the API's keys (hashed in Neo4j).

`create` prints the new key alone on stdout (scripts read it: `key=$(chaintrail apikey create
--role analyst)`), everything else on stderr; the key is never shown again.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from api.auth import check_role, create_key, list_keys, revoke_key
from api.context import ROLES
from chaintrail.cli.common import (
    boundary,
    check_format,
    err,
    load_settings,
    open_graph,
    out,
    setup_logging,
)
from cypher.schema import apply_schema

apikey_app = typer.Typer(help="API keys for the GraphQL API: create, list, revoke.",
                         no_args_is_help=True)


@apikey_app.command("create")
@boundary
def create(
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}: reader reads; analyst "
                                           "also writes cases; admin also runs loads and "
                                           "cluster rebuilds.")],
    name: Annotated[str | None, typer.Option(
        help="Who or what the key is for (shown by `list` and in the audit log).")] = None,
) -> None:
    """Create a key and print it once, alone on stdout; only its hash is stored."""
    settings = load_settings()
    setup_logging(settings)
    check_role(role)
    with open_graph(settings) as graph:
        apply_schema(graph)
        key, kid = create_key(graph, role=role, name=name or f"{role} key")
    err.print(f"API key {kid} ({role}) created. It is shown only now: keep it secret and send "
              "it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.", highlight=False)
    typer.echo(key)


@apikey_app.command("list")
@boundary
def list_(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List the keys (id, name, role, created, revoked); never the keys themselves."""
    check_format(fmt, ("table", "json"))
    settings = load_settings()
    setup_logging(settings)
    with open_graph(settings) as graph:
        rows = list_keys(graph)
    if fmt == "json":
        for r in rows:
            typer.echo(json.dumps(r))
        return
    table = Table("id", "name", "role", "created", "revoked")
    for r in rows:
        table.add_row(r["id"], r["name"], r["role"], r["created_at"], r["revoked_at"] or "")
    out.print(table)


@apikey_app.command("revoke")
@boundary
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from `list`).")]) -> None:
    """Revoke a key. A running API may accept it for up to 30 s more (its key cache)."""
    settings = load_settings()
    setup_logging(settings)
    with open_graph(settings) as graph:
        done = revoke_key(graph, key_id)
    err.print(f"API key {key_id} {'revoked' if done else 'was already revoked'}.",
              highlight=False)
