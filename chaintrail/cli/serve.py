"""`chaintrail serve`: the GraphQL API under uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from chaintrail.cli.common import boundary, load_settings, setup_logging


@boundary
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind (127.0.0.1: this machine only).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=16,
        help="Server processes (2 on 2 cores serves more requests/s). Each has its own "
             "driver and key cache; admin jobs (CHAINTRAIL_HOME/jobs) and /metrics "
             "(PROMETHEUS_MULTIPROC_DIR, else CHAINTRAIL_HOME/metrics) are shared through "
             "files.")] = 1,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql; /healthz, /readyz, /metrics)."""
    import uvicorn

    from api.app import create_app

    settings = load_settings()
    setup_logging(settings)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port,
                    log_level=settings.log_level.lower())
    else:  # each worker process builds its own app (and Settings, from the same environment)
        # the user's PROMETHEUS_MULTIPROC_DIR (settings.metrics_dir) when set, else our own
        shared_metrics_dir(settings.metrics_dir or settings.home / "metrics")
        uvicorn.run("api.app:create_app", factory=True, workers=workers, host=host,
                    port=port, log_level=settings.log_level.lower())


def shared_metrics_dir(path: Path) -> None:
    """An empty directory for the workers' metrics (a previous run's counts removed), named in
    PROMETHEUS_MULTIPROC_DIR, which prometheus_client reads before its first metric: the
    workers, started after this, inherit it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for f in path.glob("*.db"):
        f.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
