"""Long work started through the API (loads, cluster rebuilds), run as `chaintrail` CLI
subprocesses and tracked in files under `CHAINTRAIL_HOME/jobs`.

Why a subprocess: the CLI command is the one tested code path for a load or a rebuild; it
opens its own driver (one driver per process) and its CPU-bound parsing does not stall the
API's event loop. The child gets an explicit environment: the API's settings as
CHAINTRAIL_* variables, PATH and LANG, nothing else inherited.

Why files: `chaintrail serve --workers N` runs N server processes, and the next request about
a job may reach any of them. The process that started a job writes `<id>.json` (what, who,
when, the exit code) and appends its output to `<id>.log`; every process reads them. One job
runs at a time, since a load and a rebuild on the same graph would fight over the same
clusters: the running job holds an exclusive `flock` on `jobs/lock` (which names it), so the
rule holds across processes, and the lock goes with the process if it dies. A job whose
record has no exit code while nobody holds the lock was lost with its API process: it reads
as failed. The app's lifespan terminates the jobs its process runs when the API stops (the
work a killed load did stays; loads are idempotent and resumable). The newest KEEP_JOBS jobs
are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import re
import sys
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

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
KEEP_JOBS = 100
"""Jobs kept on disk; older ones are deleted when a job starts."""
JOB_ID = re.compile(r"[0-9a-f]{12}")

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
    lost: bool = False
    """Its record has no exit code, but no process runs it any more (its API process died)."""

    @property
    def status(self) -> Status:
        if self.exit_code is None:
            return "failed" if self.lost else "running"
        return "succeeded" if self.exit_code == 0 else "failed"

    def record(self) -> dict[str, Any]:
        """What `<id>.json` holds (the output is in `<id>.log`)."""
        return {"id": self.id, "kind": self.kind, "args": list(self.args),
                "started_at": self.started_at.isoformat(), "started_by": self.started_by,
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "exit_code": self.exit_code}

    @classmethod
    def from_record(cls, r: dict[str, Any], lines: deque[str]) -> Job:
        finished, exit_code = r["finished_at"], r["exit_code"]
        return cls(id=str(r["id"]), kind=str(r["kind"]), args=tuple(map(str, r["args"])),
                   started_at=datetime.fromisoformat(r["started_at"]),
                   started_by=str(r["started_by"]),
                   finished_at=datetime.fromisoformat(finished) if finished else None,
                   exit_code=int(exit_code) if exit_code is not None else None, lines=lines)

    def tail(self, n: int) -> str:
        """The last `n` lines of output (stdout and stderr, interleaved as written)."""
        lines = list(self.lines)
        return "\n".join(lines[-n:] if n > 0 else [])


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as the variables a child process reads them from (CHAINTRAIL_*, or a
    field's own alias)."""
    env: dict[str, str] = {}
    for name, info in type(settings).model_fields.items():
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
        alias = info.validation_alias
        env[alias if isinstance(alias, str) else f"CHAINTRAIL_{name.upper()}"] = text
    return env


class Jobs:
    """The jobs of one app: start, look up, list, and stop at shutdown the ones this process
    runs. Records are shared with the app's other server processes (see the module doc)."""

    def __init__(self, settings: Settings, cli: Sequence[str] = CLI) -> None:
        self._settings = settings
        self._cli = tuple(cli)
        self._own: dict[str, Job] = {}

    @property
    def load_root(self) -> Path | None:
        """Where load jobs may read (settings.api_load_root), or None: anywhere."""
        return self._settings.api_load_root

    @property
    def dir(self) -> Path:
        return self._settings.home / "jobs"

    def get(self, job_id: str) -> Job | None:
        if job_id in self._own:
            return self._own[job_id]
        return self._read(job_id) if JOB_ID.fullmatch(job_id) else None

    def all(self) -> list[Job]:
        """Every job kept, newest first."""
        found = {j.id: j for j in map(self._read, self._ids()) if j is not None}
        found.update(self._own)
        return sorted(found.values(), key=lambda j: j.started_at, reverse=True)

    async def start(self, kind: str, args: Sequence[str], *, started_by: str) -> Job:
        """Start `chaintrail ARGS` as job `kind`; ParameterError while another job runs (in
        any of the app's processes)."""
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = os.open(self.dir / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        for attempt in range(3):
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                busy = self._running()
                if busy is None and attempt < 2:  # a reader's brief shared lock: try again
                    await asyncio.sleep(0.01)
                    continue
                os.close(lock)
                what = f"job {busy.id} ({busy.kind})" if busy else "another job"
                raise ParameterError(f"{what} is still running; one job runs at a time"
                                     ) from None
        try:
            self._prune()
            job = Job(id=uuid.uuid4().hex[:12], kind=kind, args=tuple(args),
                      started_at=datetime.now(UTC), started_by=started_by)
            os.ftruncate(lock, 0)
            os.pwrite(lock, job.id.encode(), 0)
            self._save(job)
            env = {"PATH": os.defpath, "LANG": "C.UTF-8", **settings_env(self._settings)}
            job.process = await asyncio.create_subprocess_exec(
                *self._cli, *args, env=env, cwd=self._settings.home,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT)
        except BaseException:
            os.close(lock)  # releases the lock
            raise
        job.task = asyncio.create_task(self._follow(job, lock), name=f"job-{job.id}")
        self._own[job.id] = job
        log.info("job %s started by %s: chaintrail %s", job.id, started_by, " ".join(args))
        return job

    async def _follow(self, job: Job, lock: int) -> None:
        """Keep the output (in memory and in `<id>.log`) until the process ends, then record
        its exit code and release the lock."""
        proc = job.process
        assert proc is not None and proc.stdout is not None
        try:
            fd = os.open(self._path(job.id, ".log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                         0o600)  # the output shows server paths: the user's only
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                while line := await proc.stdout.readline():
                    text = line.decode(errors="replace").rstrip("\n")[:MAX_LINE]
                    job.lines.append(text)
                    out.write(text + "\n")
                    out.flush()
        finally:
            job.exit_code = await proc.wait()
            job.finished_at = datetime.now(UTC)
            try:
                self._save(job)
            finally:
                os.close(lock)
            log.info("job %s (%s) ended with exit code %s", job.id, job.kind, job.exit_code)

    async def close(self, grace_s: float = 10.0) -> None:
        """Stop the jobs this process runs (SIGTERM, then SIGKILL after `grace_s`)."""
        for job in self._own.values():
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

    # -- the records ---------------------------------------------------------------------

    def _path(self, job_id: str, suffix: str) -> Path:
        return self.dir / f"{job_id}{suffix}"

    def _ids(self) -> list[str]:
        return [p.stem for p in self.dir.glob("*.json") if JOB_ID.fullmatch(p.stem)]

    def _save(self, job: Job) -> None:
        """Write `<id>.json` whole (a reader never sees half of it)."""
        tmp = self._path(job.id, ".json.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(job.record(), f)
        os.replace(tmp, self._path(job.id, ".json"))

    def _read(self, job_id: str, *, check_lost: bool = True) -> Job | None:
        try:
            record = json.loads(self._path(job_id, ".json").read_text(encoding="utf-8"))
            lines: deque[str] = deque(maxlen=MAX_LINES)
            with contextlib.suppress(FileNotFoundError), open(
                    self._path(job_id, ".log"), encoding="utf-8", errors="replace") as f:
                lines.extend(line.rstrip("\n") for line in f)
            job = Job.from_record(record, lines)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("job record %s is unreadable: %s", self._path(job_id, ".json"), e)
            return None
        if job.exit_code is None and check_lost and self._running_id() != job.id:
            again = self._read(job_id, check_lost=False)  # it may have just ended
            if again is not None and again.exit_code is None:
                again.lost = True
            return again
        return job

    def _running_id(self) -> str | None:
        """The id of the job that holds the lock, or None when no job runs."""
        try:
            fd = os.open(self.dir / "lock", os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return os.pread(fd, 64, 0).decode(errors="replace").strip() or None
            return None  # nobody holds it (closing fd releases the shared lock just taken)
        finally:
            os.close(fd)

    def _running(self) -> Job | None:
        job_id = self._running_id()
        if job_id is None:
            return None
        return self._own.get(job_id) or self._read(job_id, check_lost=False)

    def _prune(self) -> None:
        """Delete all but the newest KEEP_JOBS - 1 records, making room for one more."""
        oldest = datetime.min.replace(tzinfo=UTC)  # an unreadable record goes first

        def started(job_id: str) -> datetime:
            job = self._read(job_id, check_lost=False)
            return job.started_at if job is not None else oldest

        kept = sorted(self._ids(), key=started, reverse=True)
        for job_id in kept[KEEP_JOBS - 1:]:
            self._own.pop(job_id, None)
            for suffix in (".json", ".log"):
                self._path(job_id, suffix).unlink(missing_ok=True)
