"""What the Neo4j benchmarks share: their own instance, a generated chain, measured commands."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from chaintrail.settings import Settings
from db.instance import start, stop

CLI = Path(sys.executable).parent / "chaintrail"
PASSWORD = "chaintrail-bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_settings(work: Path) -> tuple[Settings, dict[str, str]]:
    """Settings of a benchmark's own instance (own home, free ports, 2g heap and page cache)
    and the environment that points the `chaintrail` command at it."""
    settings = Settings(
        home=work / "neo4j", neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_http_port=free_port(), neo4j_password=SecretStr(PASSWORD),
        neo4j_heap="2g", neo4j_pagecache="2g", transaction_timeout_s=600,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINTRAIL_")}
    env.update({"CHAINTRAIL_HOME": str(settings.home),
                "CHAINTRAIL_NEO4J_URI": settings.neo4j_uri,
                "CHAINTRAIL_NEO4J_HTTP_PORT": str(settings.neo4j_http_port),
                "CHAINTRAIL_NEO4J_PASSWORD": PASSWORD,
                "CHAINTRAIL_LOG_LEVEL": "WARNING"})
    return settings, env


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a command; return wall seconds, its own peak RSS in bytes, and its stdout."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - t0
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{tail}")
    return elapsed, usage.ru_maxrss * 1024, out


def ensure_chain(chain_dir: Path, txs: int, seed: int, env: dict[str, str],
                 hub_share: float = 0.0) -> None:
    """Generate the chain with `chaintrail sample generate` (a separate process, so that the
    generator's memory never counts as a loader's), unless it is already there."""
    if not (chain_dir / "truth.json").exists():
        gen_s, _, _ = run_measured([str(CLI), "sample", "generate", "--txs", str(txs),
                                    "--seed", str(seed), "--hub-share", str(hub_share),
                                    "--force", str(chain_dir)], env)
        print(f"generated {txs} txs in {gen_s:.1f} s")


def machine() -> str:
    return f"{platform.node()} {os.cpu_count()} cores, {platform.platform()}"


def chain_parser(description: str, txs: int) -> argparse.ArgumentParser:
    """The options every Neo4j benchmark takes: chain size, seed, and a work directory."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--txs", type=int, default=txs)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None,
                    help="keep the generated chain and the instance here (default: temporary)")
    return ap


@dataclass(frozen=True, slots=True)
class Bench:
    work: Path
    chain_dir: Path
    settings: Settings
    env: dict[str, str]


@contextmanager
def bench_instance(args: argparse.Namespace) -> Iterator[Bench]:
    """The generated chain (made once per work directory) and the benchmark's own running
    instance; stopped at the end, and the work directory removed unless --workdir kept it."""
    work = args.workdir or Path(tempfile.mkdtemp(prefix="chaintrail-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    settings, env = bench_settings(work)
    ensure_chain(work / "chain", args.txs, args.seed, env, getattr(args, "hub_share", 0.0))
    start(settings)
    try:
        yield Bench(work, work / "chain", settings, env)
    finally:
        stop(settings)
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
