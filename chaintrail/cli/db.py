"""`chaintrail db ...`: set up, start, stop, inspect and reset the managed Neo4j server.

The commands are thin: the work is in `db.instance`, which the test harness and the other
commands call directly. Settings come from the main CLI (`ctx.obj`, see `_settings`), so
that the whole CLI uses the one `Settings` object it built; standalone use (tests) builds one.

Exit codes: 0 success (and `status`: up), 1 failure (and `status`: down), 2 refused usage
(`reset` without `--yes`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from chaintrail.errors import ChaintrailError, ConfigError
from chaintrail.settings import Settings
from db import instance
from db.distribution import distribution_dir

log = logging.getLogger(__name__)

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

db_app = typer.Typer(
    name="db",
    help="Manage the local Neo4j server (or check an external one).",
    no_args_is_help=True,
    add_completion=False,
)


def _settings(ctx: typer.Context) -> Settings:
    """The Settings the main CLI put in the context (`ctx.obj`), else fresh from the env."""
    found = ctx.find_object(Settings)
    if found is not None:
        return found
    try:
        return Settings()
    except ValidationError as e:
        raise ConfigError(f"invalid CHAINTRAIL_* settings:\n{e}") from e


@contextmanager
def _cli_errors() -> Iterator[None]:
    """Print chaintrail errors (multi-line, e.g. with a log tail) and exit 1."""
    try:
        yield
    except ChaintrailError as e:
        err_console.print(f"[bold red]error:[/] {escape(str(e))}", soft_wrap=True)
        raise typer.Exit(1) from e


def _external(settings: Settings, action: str) -> None:
    console.print(
        f"Neo4j is external (CHAINTRAIL_MANAGE_DB=false) at {escape(settings.neo4j_uri)}; "
        f"nothing to {action}."
    )


@db_app.command()
def setup(ctx: typer.Context) -> None:
    """Download the Neo4j and APOC jars (once, into the cache) and write this home's conf."""
    with _cli_errors():
        settings = _settings(ctx)
        if not settings.manage_db:
            _external(settings, "set up")
            return
        t0 = time.monotonic()
        dist = instance.setup(settings)
        assert dist is not None
        console.print(
            f"Neo4j {dist.version} ready in {time.monotonic() - t0:.1f} s: "
            f"{len(dist.lib)} jars + {len(dist.plugins)} plugin jars in {dist.root}"
        )
        console.print(f"conf: {instance.Paths.of(settings).conf_file}")


@db_app.command()
def start(ctx: typer.Context) -> None:
    """Start the managed server (setting it up first if needed) and wait until Bolt answers."""
    with _cli_errors():
        settings = _settings(ctx)
        if not settings.manage_db:
            _external(settings, "start")
            return
        if not (distribution_dir(settings) / "distribution.json").exists():
            console.print(
                f"Downloading Neo4j {settings.neo4j_version} jars with mvn (first run only) ..."
            )
        t0 = time.monotonic()
        result = instance.start(settings)
        pid = instance.running_pid(settings)
        if result is instance.StartResult.ALREADY_RUNNING:
            console.print(f"Neo4j is already running on {settings.neo4j_uri} (pid {pid}).")
        else:
            console.print(
                f"Neo4j {settings.neo4j_version} started on {settings.neo4j_uri} "
                f"(pid {pid}) in {time.monotonic() - t0:.1f} s."
            )


@db_app.command()
def stop(ctx: typer.Context) -> None:
    """Stop the managed server (SIGTERM, clean shutdown)."""
    with _cli_errors():
        settings = _settings(ctx)
        if not settings.manage_db:
            _external(settings, "stop")
            return
        pid = instance.running_pid(settings)
        t0 = time.monotonic()
        result = instance.stop(settings)
        if result is instance.StopResult.NOT_RUNNING:
            console.print(f"Neo4j is not running (home {settings.home}).")
        else:
            console.print(f"Neo4j (pid {pid}) stopped in {time.monotonic() - t0:.1f} s.")


@db_app.command()
def status(ctx: typer.Context) -> None:
    """Exit 0 if the server answers on Bolt with our credentials, 1 if not."""
    with _cli_errors():
        settings = _settings(ctx)
        st = instance.status(settings)
    state = "[green]up[/]" if st.up else "[red]down[/]"
    console.print(f"Neo4j {state}: {escape(st.detail)}", soft_wrap=True)
    console.print(f"  uri:     {escape(st.uri)}")
    if st.managed:
        console.print(f"  pid:     {st.pid if st.pid is not None else '-'}")
        console.print(f"  home:    {st.home}")
        console.print(f"  version: {st.version}")
    else:
        console.print("  managed: no (external server)")
    if not st.up:
        raise typer.Exit(1)


@db_app.command()
def reset(
    ctx: typer.Context,
    yes: bool = typer.Option(False, "--yes", help="Really delete all data of this instance."),
) -> None:
    """Stop the server, DELETE its data directory and start it empty (password is kept)."""
    with _cli_errors():
        settings = _settings(ctx)
        if not settings.manage_db:
            # not a no-op success: a script asking for an empty database did not get one
            _external(settings, "reset")
            raise typer.Exit(1)
        if not yes:
            err_console.print(
                f"refusing to delete {instance.Paths.of(settings).data} without --yes"
            )
            raise typer.Exit(2)
        instance.reset(settings)
        console.print(
            f"Neo4j reset: empty database running on {settings.neo4j_uri} "
            f"(pid {instance.running_pid(settings)})."
        )
