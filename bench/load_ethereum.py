"""Benchmark: load a generated account-chain export (ethereum-etl CSV) into an empty Neo4j,
then trace on it.

Prints value transfers/s (native, internal and ERC-20: what the issue's target counts), all
TRANSFER relationships/s (withdrawals too; fees are booked on the transactions) and the
loader's peak RSS, for a chain of at least `--transfers` value transfers (default 500,000);
then p50 and p95 of bounded 6-hop time-respecting traces (analysis.trace.trace on Ethereum:
trace/start + one trace/forward or trace/backward per hop; max_fanout 100, max_rows 1000)
from `--samples` random accounts that sent value: forward in ETH, forward across every asset,
backward in ETH. Target (issue 6): p95 under 250 ms.

    .venv/bin/python bench/load_ethereum.py [--transfers 500000] [--seed 1] [--samples 100]
                                            [--workdir DIR]

The export is written by loaders/ethereum/generate.py (deterministic for a seed; `truth.json`
beside it holds the counts, which the load must reproduce). The benchmark starts its own
Neo4j instance (own home, free ports, heap and page cache 2g) and stops it at the end; the
load runs as `chaintrail load ethereum` in its own process, so that the generator's memory
does not count as the loader's. Record the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.common` importable
    sys.path.insert(0, str(ROOT))

from analysis.trace import Direction, TraceLimits, trace  # noqa: E402
from bench.common import CLI, bench_settings, machine, run_measured  # noqa: E402
from bench.trace import pct, timed  # noqa: E402
from chaintrail.settings import Settings  # noqa: E402
from cypher.registry import Registry  # noqa: E402
from cypher.runner import Graph  # noqa: E402
from db.driver import open_driver  # noqa: E402
from db.instance import start, stop  # noqa: E402
from loaders.ethereum.generate import generate  # noqa: E402

TARGET = 5_000
TRACE_TARGET_MS = 250
SENDERS = ("MATCH (a:Account)-[t:TRANSFER]->() WHERE t.kind IN ['native', 'internal', 'erc20'] "
           "WITH DISTINCT a LIMIT 20000 RETURN a.address AS a ORDER BY a")
"""Accounts that sent value (bench code on purpose: the sample, not a question asked)."""


def measure_traces(settings: Settings, samples: int, seed: int) -> dict[str, Any]:
    """Latency of 6-hop time-respecting traces from random senders, one driver, warm plans."""
    driver = open_driver(settings)
    try:
        graph = Graph(driver, Registry.load(), database=settings.neo4j_database, timeout_s=60)
        with driver.session(database=settings.neo4j_database) as s:
            pool = [r["a"] for r in s.run(SENDERS)]
        starts = random.Random(seed).sample(pool, min(samples, len(pool)))
        limits = TraceLimits(max_hops=6)
        out: dict[str, Any] = {"starts": len(starts)}
        runs: tuple[tuple[str, Direction, str | None], ...] = (
            ("forward ETH", "forward", None), ("forward every asset", "forward", "*"),
            ("backward ETH", "backward", None))
        for name, direction, asset in runs:
            trace(graph, starts[0], direction, limits, asset=asset)  # warm the plans
            ms, rows, cut = [], [], 0
            for a in starts:
                t_ms, t = timed(lambda a=a, d=direction, x=asset: trace(
                    graph, a, d, limits, asset=x))
                ms.append(t_ms)
                rows.append(len(t.rows))
                cut += bool(t.truncated)
            out[name] = {"p50": pct(ms, 50), "p95": pct(ms, 95), "max": max(ms),
                         "rows_mean": sum(rows) / len(rows), "truncated": cut}
        return out
    finally:
        driver.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transfers", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--samples", type=int, default=100, help="trace starts (random senders)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="keep the export and the instance here (default: temporary)")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="chaintrail-bench-eth-"))
    work.mkdir(parents=True, exist_ok=True)
    export = work / f"export-{args.transfers}-{args.seed}"
    if not (export / "truth.json").exists():
        t0 = time.monotonic()
        generate(export, transfers=args.transfers, seed=args.seed)
        print(f"generated in {time.monotonic() - t0:.1f} s")
    truth = json.loads((export / "truth.json").read_text())
    settings, env = bench_settings(work)
    start(settings)
    try:
        load_s, rss, out = run_measured([str(CLI), "load", "ethereum", str(export)], env)
        traces = measure_traces(settings, args.samples, args.seed)
    finally:
        stop(settings)
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    summary = json.loads(out)
    counts = summary["counts"]
    for kind in ("native", "internal", "erc20", "fee", "withdrawal"):
        assert counts.get(kind, 0) == truth["counts"].get(kind, 0), (kind, counts, truth)
    value = counts["native"] + counts["internal"] + counts["erc20"]
    print(f"machine: {machine()}")
    print(f"export: {summary['blocks_loaded']} blocks, {summary['txs']} transactions, "
          f"{value} value transfers (native {counts['native']}, internal "
          f"{counts['internal']}, erc20 {counts['erc20']}), {summary['transfers']} TRANSFER "
          f"relationships with withdrawals, {counts['fee']} fees booked on transactions "
          f"(seed {args.seed})")
    print(f"load: {load_s:.1f} s, {value / load_s:,.0f} value transfers/s "
          f"(target >= {TARGET:,}: {'met' if value / load_s >= TARGET else 'not met'}), "
          f"{summary['transfers'] / load_s:,.0f} TRANSFER relationships/s, "
          f"{summary['txs'] / load_s:,.0f} tx/s, loader peak RSS {rss / 2**20:.0f} MB")
    for name in ("forward ETH", "forward every asset", "backward ETH"):
        m = traces[name]
        print(f"6-hop time-respecting traces, {name} ({traces['starts']} random senders, "
              f"max_fanout 100, max_rows 1000): p50 {m['p50']:.0f} ms, p95 {m['p95']:.0f} ms, "
              f"max {m['max']:.0f} ms, {m['rows_mean']:.0f} rows on average, "
              f"{m['truncated']} truncated (target p95 < {TRACE_TARGET_MS} ms: "
              f"{'met' if m['p95'] < TRACE_TARGET_MS else 'not met'})")


if __name__ == "__main__":
    main()
