"""`chaintrail sample ...`: the synthetic regtest chain with known ground truth."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from chaintrail.cli.common import boundary, bulk, err
from loaders.progress import make_progress
from loaders.sample import DEFAULT_TXS_PER_BLOCK, generate_chain

sample_app = typer.Typer(help="Synthetic sample chains for tests and demos.", no_args_is_help=True)


@sample_app.command("generate")
@boundary
@bulk
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Directory for blk*.dat and truth.json.")],
    txs: Annotated[
        int, typer.Option("--txs", min=1, help="Transactions in total, coinbases included.")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same bytes.")] = 1,
    txs_per_block: Annotated[
        int, typer.Option("--txs-per-block", min=2, help="Transactions per block.")
    ] = DEFAULT_TXS_PER_BLOCK,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a sample already in OUT_DIR.")
    ] = False,
    hub_share: Annotated[
        float, typer.Option("--hub-share", min=0.0, max=0.9,
                            help="Add a gambling service with one reused address taking this "
                                 "share of the draws as bets: a super node (0: none).")
    ] = 0.0,
) -> None:
    """Write a deterministic regtest chain (Bitcoin Core blk files) and its truth.json.

    Load it with `chaintrail load bitcoin OUT_DIR`. truth.json says who owns each address.
    """
    start = time.monotonic()
    with make_progress("sample", err) as progress:
        summary = generate_chain(
            out_dir,
            txs=txs,
            seed=seed,
            txs_per_block=txs_per_block,
            overwrite=force,
            progress=progress.advance,
            hub_share=hub_share,
        )
    elapsed = time.monotonic() - start
    report = {
        "out_dir": str(summary.out_dir),
        "files": [p.name for p in summary.files],
        "truth": summary.truth_path.name,
        "seed": summary.seed,
        "txs": summary.txs,
        "blocks": summary.blocks,
        "inputs": summary.inputs,
        "outputs": summary.outputs,
        "bytes": summary.bytes_written,
        "entities": summary.entities,
        "addresses": summary.addresses,
        "coinjoins": summary.coinjoins,
        "peel_chains": summary.peel_chains,
        "tainted_outputs": summary.tainted_outputs,
        "tip": summary.tip,
        "seconds": round(elapsed, 2),
    }
    typer.echo(json.dumps(report))
