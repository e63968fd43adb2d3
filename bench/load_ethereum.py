"""Benchmark: load a generated account-chain export (ethereum-etl CSV) into an empty Neo4j.

Prints value transfers/s (native, internal and ERC-20: what the issue's target counts), all
TRANSFER relationships/s (fees too: one to the miner and one burnt per transaction) and the
loader's peak RSS, for a chain of at least `--transfers` value transfers (default 500,000):

    .venv/bin/python bench/load_ethereum.py [--transfers 500000] [--seed 1] [--workdir DIR]

The export is written by loaders/ethereum/generate.py (deterministic for a seed; `truth.json`
beside it holds the counts, which the load must reproduce). The benchmark starts its own
Neo4j instance (own home, free ports, heap and page cache 2g) and stops it at the end; the
load runs as `chaintrail load ethereum` in its own process, so that the generator's memory
does not count as the loader's. Record the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.common` importable
    sys.path.insert(0, str(ROOT))

from bench.common import CLI, bench_settings, machine, run_measured  # noqa: E402
from db.instance import start, stop  # noqa: E402
from loaders.ethereum.generate import generate  # noqa: E402

TARGET = 5_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transfers", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=1)
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
          f"relationships with fees and withdrawals (seed {args.seed})")
    print(f"load: {load_s:.1f} s, {value / load_s:,.0f} value transfers/s "
          f"(target >= {TARGET:,}: {'met' if value / load_s >= TARGET else 'not met'}), "
          f"{summary['transfers'] / load_s:,.0f} TRANSFER relationships/s, "
          f"{summary['txs'] / load_s:,.0f} tx/s, loader peak RSS {rss / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
