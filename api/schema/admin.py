"""Admin work through the API: `loadBitcoin`, `loadTags` and `rebuildClusters` start a job
(a `chaintrail` CLI subprocess, see api/jobs.py); `job(id)` and `jobs` follow them.

Everything here needs the admin role, reading jobs included: a job's output shows server paths
and internals that readers and analysts have no use for. Paths are files on the API server,
absolute (the job runs in another working directory) and must exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated

import strawberry

from api.context import Context
from api.jobs import MAX_LINES
from api.jobs import Job as JobState
from api.schema.errors import Problem, or_problem
from api.schema.pagination import Connection, list_page
from chaintrail.errors import NotFound, ParameterError

Info = strawberry.Info[Context, None]


@strawberry.type(description="A load or cluster rebuild started through the API (its record "
                             "is shared by the API's server processes).")
class Job:
    id: str
    kind: str = strawberry.field(description="load-bitcoin, load-tags or rebuild-clusters")
    status: str = strawberry.field(description="running, succeeded or failed (also when the "
                                               "API process running it died)")
    started_at: datetime
    finished_at: datetime | None
    exit_code: int | None
    started_by: str = strawberry.field(description="The id of the API key that started it.")
    arguments: list[str] = strawberry.field(description="The `chaintrail` command's arguments.")
    lines: strawberry.Private[list[str]]

    @strawberry.field(description=f"The last `tail` lines of the output (stdout and stderr); "
                                  f"tail is clamped to 0..{MAX_LINES}.")
    def output(self, tail: int = 50) -> str:
        n = max(0, min(tail, MAX_LINES))
        return "\n".join(self.lines[-n:] if n else [])

    @classmethod
    def of(cls, j: JobState) -> Job:
        return cls(id=j.id, kind=j.kind, status=j.status, started_at=j.started_at,
                   finished_at=j.finished_at, exit_code=j.exit_code, started_by=j.started_by,
                   arguments=list(j.args), lines=list(j.lines))


JobResult = Annotated[Job | Problem, strawberry.union("JobResult")]
JobsResult = Annotated[Connection[Job] | Problem, strawberry.union("JobsResult")]


def _paths(paths: Sequence[str], what: str, root: Path | None = None) -> list[str]:
    """Absolute paths that exist (below `root` when it is set: settings.api_load_root),
    else ParameterError (InvalidInput)."""
    if not paths:
        raise ParameterError(f"{what}: give at least one path")
    out = []
    for p in paths:
        path = Path(p)
        if not path.is_absolute():
            raise ParameterError(f"{what}: {p!r} is not an absolute path on the API server")
        if root is not None and not path.resolve().is_relative_to(root.resolve()):
            raise ParameterError(f"{what}: {p} is outside the API's load folder {root}")
        if not path.exists():
            raise ParameterError(f"{what}: {p}: no such file or directory on the API server")
        out.append(str(path))
    return out


async def _start(info: Info, kind: str, args: list[str]) -> Job:
    who = info.context.require("admin")
    return Job.of(await info.context.jobs.start(kind, args, started_by=who.key_id))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Load Bitcoin blocks (blk files, directories, raw blocks) "
                                     "as a job; as `chaintrail load bitcoin`. Admin only.")
    async def load_bitcoin(self, info: Info, paths: list[str],
                           prevouts: list[str] | None = None) -> JobResult:
        async def work() -> Job:
            info.context.require("admin")
            args = ["load", "bitcoin"]
            root = info.context.jobs.load_root
            for p in _paths(prevouts, "prevouts", root) if prevouts else []:
                args += ["--prevouts", p]
            return await _start(info, "load-bitcoin", [*args, *_paths(paths, "paths", root)])

        return await or_problem(work)

    @strawberry.mutation(description="Load attribution tags (TagPacks, OFAC lists) as a job; as "
                                     "`chaintrail load tags`. Admin only.")
    async def load_tags(self, info: Info, paths: list[str]) -> JobResult:
        async def work() -> Job:
            info.context.require("admin")
            return await _start(info, "load-tags", [
                "load", "tags", *_paths(paths, "paths", info.context.jobs.load_root)])

        return await or_problem(work)

    @strawberry.mutation(description="Clear the clusters and cluster every transaction again, as "
                                     "a job; as `chaintrail cluster --rebuild`. Admin only.")
    async def rebuild_clusters(self, info: Info) -> JobResult:
        return await or_problem(lambda: _start(info, "rebuild-clusters",
                                               ["cluster", "--rebuild"]))


@strawberry.type
class Query:
    @strawberry.field(description="One job of this API process. Admin only.")
    async def job(self, info: Info, id: str) -> JobResult:
        async def work() -> Job:
            info.context.require("admin")
            found = info.context.jobs.get(id)
            if found is None:
                raise NotFound(f"no job {id!r} in this API process")
            return Job.of(found)

        return await or_problem(work)

    @strawberry.field(description="The jobs of this API process, newest first. Admin only.")
    async def jobs(self, info: Info, first: int = 20, after: str | None = None) -> JobsResult:
        async def work() -> Connection[Job]:
            info.context.require("admin")
            rows = [{"job": j} for j in info.context.jobs.all()]
            return list_page("jobs", first, after, rows, lambda r: Job.of(r["job"]))

        return await or_problem(work)
