"""`chaintrail taint` through a tiny Typer app holding only that command: JSON, a table, and
clear refusals (exit 1, "error:", no traceback). The chain is tests/analysis/test_taint.py's
hand-drawn one, so the numbers are the ones derived there."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner, Result

from chaintrail.cli.taint import taint
from cypher.runner import Graph
from tests.analysis.test_taint import (
    ADDR,
    HAIRCUT_ROWS,
    HAIRCUT_TOTALS,
    SOURCE,
    T5,
    TXNAME,
    hand_blocks,
)
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

app = typer.Typer()


@app.callback()
def main() -> None:
    """The tiny app: `taint` is its only command, as in `chaintrail taint`."""


app.command("taint")(taint)
runner = CliRunner()


@pytest.fixture(scope="module")
def hand(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, hand_blocks())
    return graph


@pytest.fixture
def env(hand: Graph, cli_env: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for k, v in cli_env.items():
        if k.startswith("CHAINTRAIL_"):
            monkeypatch.setenv(k, v)
    monkeypatch.setenv("CHAINTRAIL_LOG_LEVEL", "WARNING")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    # the command points the root logger at the runner's stderr; give pytest its own back
    root.handlers[:] = handlers
    root.setLevel(level)


def invoke(*args: str) -> Result:
    return runner.invoke(app, ["taint", *args])


def test_json(env: None) -> None:
    res = invoke("--method", "haircut", "--source", SOURCE, "--max-hops", "3")
    assert res.exit_code == 0, res.stderr
    d = json.loads(res.stdout)
    assert [(TXNAME[r["txid"]], r["vout"], r["hop"], r["tainted_value"], r["status"])
            for r in d["rows"]] == HAIRCUT_ROWS
    assert {k: d[k] for k in HAIRCUT_TOTALS} == HAIRCUT_TOTALS
    assert (d["method"], d["sources"], d["truncated"]) == ("haircut", [SOURCE], False)
    assert d["rounding"].startswith("down")
    # two sources, one of them an address: the same output once
    two = json.loads(invoke("--method", "poison", "--source", SOURCE, "--source", ADDR["A"],
                            "--max-hops", "1").stdout)
    assert (two["sources"], two["source_outputs"], len(two["rows"])) == (
        [SOURCE, ADDR["A"]], 1, 2)


def test_table(env: None) -> None:
    res = invoke("--method", "fifo", "--source", ADDR["A"], "--max-hops", "3", "--format",
                 "table")
    assert res.exit_code == 0, res.stderr
    assert "fifo taint from" in res.stdout and T5 in res.stdout and "beyond" in res.stdout
    assert "tainted in 100 sat" in res.stdout and "out 80" in res.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--method", "lifo", "--source", SOURCE], "unknown taint method 'lifo'"),
    (["--method", "poison", "--source", SOURCE, "--max-hops", "21"], "max_hops"),
    (["--method", "poison", "--source", SOURCE, "--max-rows", "-1"], "max_rows"),
    (["--method", "poison", "--source", "1BoatSLRHtKNngkdXEeobR76b53LETtpyX"], "checksum"),
    (["--method", "poison", "--source", "cluster:nonsense0"], "error:"),
    (["--method", "poison", "--source", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"], "no such address"),
    (["--method", "poison", "--source", "ab" * 32 + ":0"], "no such output"),
    (["--method", "poison", "--source", "what is this?"], "neither an address"),
    (["--method", "poison", "--source", SOURCE, "--format", "csv"], "unknown format"),
])
def test_bad_input_exits_1_with_a_message(env: None, args: list[str], message: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 1, res.stdout
    assert "error:" in res.stderr and message in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
