"""Parser throughput on the shared raw blocks: transactions per second.

Prints, per block, the tx/s of `parse_block` alone and of parse + `classify_script` (with address
encoding) for every output, which is the per-transaction CPU cost the loader pays before Neo4j.
With python-bitcoinlib importable (keep it out of the project's venv: install it into a throwaway
one and pass its site-packages with --compare-path), also CBlock.deserialize + GetTxid per tx.

    .venv/bin/python bench/parse_bitcoin.py [--data ../shared/data] [--repeat 5]
        [--compare-path /tmp/pbl-venv/lib/python3.11/site-packages]

Figures on 0413567.raw (1557 txs), CPython 3.11, 2 shared cores, best of 15-20 runs:
parse ~135,000 tx/s; parse + classify + addresses ~60,000 tx/s (cold address caches);
python-bitcoinlib 0.12.2 ~30,000 tx/s. Segwit-heavy blocks (0696394, 0709632): parse
~80,000 tx/s, with classify ~25,000-35,000 tx/s (more outputs per tx, bech32 addresses).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from loaders.bitcoin.address import clear_address_cache  # noqa: E402
from loaders.bitcoin.network import MAINNET  # noqa: E402
from loaders.bitcoin.parse import parse_block  # noqa: E402
from loaders.bitcoin.script import classify_script  # noqa: E402


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _parse_and_classify(data: bytes) -> None:
    clear_address_cache()  # measure cold: no address seen before
    block = parse_block(data)
    for tx in block.txs:
        for out in tx.outputs:
            classify_script(out.script_pubkey, MAINNET)


def _bitcoinlib(data: bytes) -> Callable[[], object] | None:
    try:
        core = importlib.import_module("bitcoin.core")
    except ImportError:
        return None

    def run() -> None:
        block = core.CBlock.deserialize(data)
        for tx in block.vtx:
            tx.GetTxid()

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--compare-path", type=Path, help="site-packages holding python-bitcoinlib")
    args = ap.parse_args()
    if args.compare_path:
        sys.path.append(str(args.compare_path))
    raw_dir = args.data / "bitcoin" / "raw"
    files = sorted(raw_dir.glob("*.raw"))
    if not files:
        sys.exit(f"no raw blocks in {raw_dir}")
    header = f"{'block':<12}{'txs':>6}{'parse tx/s':>14}{'+classify tx/s':>16}"
    print(header + f"{'bitcoinlib tx/s':>17}")
    parse_rates, full_rates = [], []
    for path in files:
        data = path.read_bytes()
        n = len(parse_block(data).txs)
        if n < 100:
            continue
        parse = n / _best(partial(parse_block, data), args.repeat)
        full = n / _best(partial(_parse_and_classify, data), args.repeat)
        parse_rates.append(parse)
        full_rates.append(full)
        other = _bitcoinlib(data)
        theirs = f"{n / _best(other, args.repeat):>17,.0f}" if other else f"{'-':>17}"
        print(f"{path.name:<12}{n:>6}{parse:>14,.0f}{full:>16,.0f}{theirs}")
    print(
        f"{'median':<18}{statistics.median(parse_rates):>14,.0f}"
        f"{statistics.median(full_rates):>16,.0f}"
    )


if __name__ == "__main__":
    main()
