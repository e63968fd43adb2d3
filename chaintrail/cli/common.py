"""What every CLI command shares: settings, logging, the graph layer, the error boundary."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler

from chaintrail.errors import ChaintrailError, ConfigError, InputError
from chaintrail.runtime import fewer_collections
from chaintrail.settings import Settings
from cypher.registry import Registry
from cypher.runner import Graph
from db.driver import open_driver

P = ParamSpec("P")
R = TypeVar("R")

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
"""Command output (stdout): JSON, tables, summaries."""
err = Console(stderr=True, soft_wrap=True)
"""Diagnostics and progress (stderr), so stdout stays machine-readable."""


def load_settings() -> Settings:
    """The settings from the environment; a bad value is a ConfigError naming the variable."""
    try:
        return Settings()
    except ValidationError as e:
        problems = "; ".join(
            f"CHAINTRAIL_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in e.errors()
        )
        raise ConfigError(f"bad configuration: {problems}") from e


def setup_logging(settings: Settings) -> None:
    handler: logging.Handler
    if err.is_terminal:
        handler = RichHandler(console=err, show_path=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The driver logs each retried transient error (e.g. a deadlock between the two writer
    # threads, which it retries by design) as a warning; what fails for good is raised to us.
    logging.getLogger("neo4j").setLevel(logging.ERROR)


def check_format(fmt: str, formats: tuple[str, ...]) -> str:
    """An output format the command knows, or a ConfigError naming the ones it does."""
    if fmt not in formats:
        raise ConfigError(f"unknown format {fmt!r}; one of {', '.join(formats)}")
    return fmt


@contextmanager
def open_graph(settings: Settings) -> Iterator[Graph]:
    """One driver for this command, closed when it ends."""
    driver = open_driver(settings)
    try:
        yield Graph(
            driver,
            Registry.load(),
            database=settings.neo4j_database,
            timeout_s=settings.transaction_timeout_s,
        )
    finally:
        driver.close()


def boundary(fn: Callable[P, R]) -> Callable[P, R]:
    """The CLI's one error boundary: a chaintrail error is a message and exit code 1."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            err.print(f"[bold red]error:[/] bad input: {e}", highlight=False)
            raise typer.Exit(1) from e
        except ChaintrailError as e:
            err.print(f"[bold red]error:[/] {e}", highlight=False)
            raise typer.Exit(1) from e

    return wrapper


def bulk(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a bulk command (a load, clustering, a generated chain) with rarer cyclic garbage
    collections (chaintrail.runtime). Measured on 200,000 transactions (docs/benchmarks.md):
    clustering took 36.9-37.4 s against 40.4-40.7 s (client CPU 12 s against 17.4 s); the load
    66.9 s against 73.2 s, its peak RSS 265 MB against 196 MB."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with fewer_collections():
            return fn(*args, **kwargs)

    return wrapper
