"""Long work started through the API (loads, cluster rebuilds), run as `chaintrail` CLI
subprocesses and tracked in memory.

Why a subprocess: the CLI command is the one tested code path for a load or a rebuild; it
opens its own driver (one driver per process) and its CPU-bound parsing does not stall the
API's event loop. The child gets an explicit environment: the API's settings as
CHAINTRAIL_* variables, PATH and LANG, nothing else inherited.

Jobs live in the memory of the API process that started them: a restart forgets them (the
work a killed load did stays; loads are idempotent and resumable). One job runs at a time,
since a load and a rebuild on the same graph would fight over the same clusters. The app's
lifespan terminates a job still running when the API stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from chaintrail.errors import ParameterError
from chaintrail.settings import Settings

log = logging.getLogger(__name__)

CLI: tuple[str, ...] = (sys.executable, "-m", "chaintrail.cli.main")
"""The `chaintrail` command, run by this interpreter (its console script is the same app)."""

MAX_LINES = 200
"""Output lines kept per job (the tail)."""
MAX_LINE = 2000
"""Characters kept per output line."""

Status = Literal["running", "succeeded", "failed"]


@dataclass
class Job:
    id: str
    kind: str
    args: tuple[str, ...]
    started_at: datetime
    started_by: str
    finished_at: datetime | None = None
    exit_code: int | None = None
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_LINES))
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def status(self) -> Status:
        if self.exit_code is None:
            return "running"
        return "succeeded" if self.exit_code == 0 else "failed"

    def tail(self, n: int) -> str:
        """The last `n` lines of output (stdout and stderr, interleaved as written)."""
        lines = list(self.lines)
        return "\n".join(lines[-n:] if n > 0 else [])


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as the CHAINTRAIL_* variables a child process reads them from."""
    env: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            text = value.get_secret_value()
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | dict):
            text = json.dumps(value)
        else:
            text = str(value)
        env[f"CHAINTRAIL_{name.upper()}"] = text
    return env


class Jobs:
    """The jobs of one app: start, look up, list, and stop them all at shutdown."""

    def __init__(self, settings: Settings, cli: Sequence[str] = CLI) -> None:
        self._settings = settings
        self._cli = tuple(cli)
        self._jobs: dict[str, Job] = {}

    @property
    def load_root(self) -> Path | None:
        """Where load jobs may read (settings.api_load_root), or None: anywhere."""
        return self._settings.api_load_root

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Every job, newest first."""
        return sorted(self._jobs.values(), key=lambda j: j.started_at, reverse=True)

    async def start(self, kind: str, args: Sequence[str], *, started_by: str) -> Job:
        """Start `chaintrail ARGS` as job `kind`; ParameterError while another job runs."""
        busy = next((j for j in self._jobs.values() if j.status == "running"), None)
        if busy is not None:
            raise ParameterError(f"job {busy.id} ({busy.kind}) is still running; one job runs "
                                 "at a time")
        env = {"PATH": os.defpath, "LANG": "C.UTF-8", **settings_env(self._settings)}
        self._settings.home.mkdir(parents=True, exist_ok=True)
        job = Job(id=uuid.uuid4().hex[:12], kind=kind, args=tuple(args),
                  started_at=datetime.now(UTC), started_by=started_by)
        job.process = await asyncio.create_subprocess_exec(
            *self._cli, *args, env=env, cwd=self._settings.home,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        job.task = asyncio.create_task(self._follow(job), name=f"job-{job.id}")
        self._jobs[job.id] = job
        log.info("job %s started by %s: chaintrail %s", job.id, started_by, " ".join(args))
        return job

    async def _follow(self, job: Job) -> None:
        """Keep the output's tail until the process ends, then its exit code."""
        proc = job.process
        assert proc is not None and proc.stdout is not None
        try:
            while line := await proc.stdout.readline():
                job.lines.append(line.decode(errors="replace").rstrip("\n")[:MAX_LINE])
        finally:
            job.exit_code = await proc.wait()
            job.finished_at = datetime.now(UTC)
            log.info("job %s (%s) ended with exit code %s", job.id, job.kind, job.exit_code)

    async def close(self, grace_s: float = 10.0) -> None:
        """Stop the jobs still running (SIGTERM, then SIGKILL after `grace_s`)."""
        for job in self._jobs.values():
            if job.status != "running" or job.process is None:
                continue
            log.warning("stopping job %s (%s): the API is shutting down", job.id, job.kind)
            with contextlib.suppress(ProcessLookupError):  # it may have just ended
                job.process.terminate()
            try:
                await asyncio.wait_for(job.process.wait(), grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    job.process.kill()
            if job.task is not None:
                await job.task
