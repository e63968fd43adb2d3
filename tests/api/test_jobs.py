"""Admin jobs (api/jobs.py): one at a time, their records shared by the app's server
processes through CHAINTRAIL_HOME/jobs. The 'CLI' here is a small Python script, so no Neo4j
is needed."""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

import api.jobs
from api.jobs import Job, Jobs
from chaintrail.errors import ParameterError
from chaintrail.settings import Settings

SCRIPT = ("import os, sys, time; print(os.environ['CHAINTRAIL_NEO4J_URI'], sys.argv[1:], "
          "os.getcwd(), flush=True); time.sleep(float(sys.argv[1]))")


@pytest.fixture
def home(tmp_path: Path) -> Settings:
    """Settings with a home of the test's own (no Neo4j is started: nothing here uses it)."""
    return Settings(home=tmp_path, neo4j_uri="bolt://127.0.0.1:7999", manage_db=False,
                    neo4j_password=SecretStr("not-used"))


def jobs_of(settings: Settings) -> Jobs:
    """What one server process of the app has."""
    return Jobs(settings, cli=[sys.executable, "-c", SCRIPT])


async def started(job: Job) -> None:
    while not job.lines:
        await asyncio.sleep(0.02)


def test_jobs_run_one_at_a_time_with_the_settings_in_their_environment(home: Settings) -> None:
    async def scenario() -> None:
        jobs = jobs_of(home)
        quick = await jobs.start("quick", ["0"], started_by="k1")
        assert quick.task is not None
        await quick.task
        assert (quick.status, quick.exit_code) == ("succeeded", 0)
        assert quick.tail(1) == f"{home.neo4j_uri} ['0'] {home.home}"
        slow = await jobs.start("slow", ["60"], started_by="k2")
        with pytest.raises(ParameterError, match=f"job {slow.id} .slow. is still running"):
            await jobs.start("other", ["0"], started_by="k2")
        await started(slow)
        await jobs.close(grace_s=10)
        assert slow.status == "failed" and slow.exit_code == -15
        assert [j.id for j in jobs.all()] == [slow.id, quick.id]

    asyncio.run(scenario())


def test_every_server_process_sees_a_job_and_the_one_at_a_time_rule(home: Settings) -> None:
    async def scenario() -> None:
        a, b = jobs_of(home), jobs_of(home)
        slow = await a.start("slow", ["60"], started_by="k1")
        await started(slow)
        seen = b.get(slow.id)
        assert seen is not None and seen is not slow
        assert (seen.status, seen.kind, seen.args, seen.started_by) == (
            "running", "slow", ("60",), "k1")
        assert seen.tail(1) == f"{home.neo4j_uri} ['60'] {home.home}"
        with pytest.raises(ParameterError, match=f"job {slow.id} .slow. is still running"):
            await b.start("other", ["0"], started_by="k2")
        await a.close(grace_s=10)
        seen = b.get(slow.id)
        assert seen is not None
        assert (seen.status, seen.exit_code) == ("failed", -15)
        assert seen.finished_at == slow.finished_at
        quick = await b.start("quick", ["0"], started_by="k2")  # the lock went with the job
        assert quick.task is not None
        await quick.task
        assert [j.id for j in a.all()] == [quick.id, slow.id]
        done = a.get(quick.id)
        assert done is not None and done.status == "succeeded"

    asyncio.run(scenario())


def test_a_job_lost_with_its_process_reads_as_failed(home: Settings) -> None:
    jobs = jobs_of(home)
    jobs.dir.mkdir(parents=True)
    orphan = Job(id="0123456789ab", kind="load-bitcoin", args=("x",),
                 started_at=datetime.now(UTC), started_by="k1", lines=deque(["parsing"]))
    jobs._save(orphan)  # its process died before it could record an exit code
    seen = jobs.get(orphan.id)
    assert seen is not None
    assert (seen.status, seen.lost, seen.exit_code, seen.tail(5)) == ("failed", True, None, "")


def test_ids_that_are_not_job_ids_find_nothing(home: Settings) -> None:
    jobs = jobs_of(home)
    (home.home / "secret.json").write_text('{"id": "x"}')
    for bad in ("../secret", "0123456789ab/../../secret", "", "ZZZ"):
        assert jobs.get(bad) is None


def test_only_the_newest_jobs_are_kept(home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.jobs, "KEEP_JOBS", 3)

    async def scenario() -> list[str]:
        jobs = jobs_of(home)
        ids = []
        for _ in range(5):
            job = await jobs.start("quick", ["0"], started_by="k1")
            assert job.task is not None
            await job.task
            ids.append(job.id)
        return ids

    ids = asyncio.run(scenario())
    assert [j.id for j in jobs_of(home).all()] == ids[:-4:-1]
    files = sorted(jobs_of(home).dir.iterdir())
    assert [p.name for p in files] == sorted(
        [f"{i}{s}" for i in ids[2:] for s in (".json", ".log")] + ["lock"])
    assert {p.stat().st_mode & 0o777 for p in files} == {0o600}  # paths, internals: private
    assert jobs_of(home).dir.stat().st_mode & 0o777 == 0o700
