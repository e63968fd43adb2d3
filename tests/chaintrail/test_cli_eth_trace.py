"""`chaintrail trace|taint|exposure` on Ethereum through the real Typer app (CliRunner): the
chain inferred from a 0x start or given with --chain, --asset, the block and time windows,
JSON equal to the analysis functions' answers in EIP-55 case, tables, and clear refusals
(exit 1, "error:", no traceback). The chain is tests/analysis/test_eth_trace.py's."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from analysis.accounts import Window
from analysis.exposure import ExposureLimits, exposure
from analysis.taint import taint
from analysis.trace import TraceLimits, paths, trace
from api.graph import vis_graph
from chaintrail.cli.main import app
from chaintrail.cli.trace import unix_time
from cypher.runner import Graph
from loaders.ethereum.address import displayed, eip55_checksum
from tests.analysis.ethchain import write_chain
from tests.analysis.test_eth_trace import AB, CHAIN, TOK, A, B, D, H
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j
runner = CliRunner()


@pytest.fixture(scope="module")
def eth(graph: Graph) -> Graph:
    wipe(graph)
    write_chain(graph, CHAIN, tags=[(D, "Exchange D", "exchange")])
    return graph


@pytest.fixture
def env(eth: Graph, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for k, v in cli_env.items():
        if k.startswith("CHAINTRAIL_"):
            monkeypatch.setenv(k, v)
    monkeypatch.setenv("CHAINTRAIL_LOG_LEVEL", "WARNING")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> object:
    r = run(*args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def refused(*args: str) -> str:
    r = run(*args)
    assert r.exit_code == 1 and "error:" in r.output and "Traceback" not in r.output, r.output
    return r.output


def test_trace_json_is_the_analysis_answer_in_eip55_case(env: None, eth: Graph) -> None:
    got = ok("trace", "forward", eip55_checksum(A), "--max-hops", "3")
    assert got == displayed(trace(eth, A, "forward", TraceLimits(max_hops=3)).as_dict())
    assert got["rows"][0]["to_address"] == eip55_checksum(B) != B
    assert ok("trace", "backward", H, "--chain", "ethereum") == displayed(
        trace(eth, H, "backward").as_dict())
    every = ok("trace", "forward", A, "--asset", "*")
    assert TOK in {r["asset"].lower() for r in every["rows"]}
    graph = ok("trace", "forward", AB.tx, "--format", "graph-json")
    answer = displayed(trace(eth, AB.tx, "forward").as_graph())  # the API's form, as /export
    assert {k: graph.pop(k) for k in ("nodes", "edges")} == vis_graph(answer)
    assert graph == {k: v for k, v in answer.items() if k not in ("nodes", "edges")}
    assert {e["kind"] for e in vis_graph(answer)["edges"]} == {"transfer"}
    table = run("trace", "forward", A, "--format", "table")
    assert table.exit_code == 0 and eip55_checksum(D)[:10] in table.stdout


def test_windows(env: None, eth: Graph) -> None:
    assert ok("trace", "forward", A, "--from-block", "11")["rows"] == []
    to12 = ok("trace", "forward", A, "--to-block", "12")
    assert to12 == displayed(trace(eth, A, "forward", window=Window(to_block=12)).as_dict())
    assert to12["window"] == {"to_block": 12}
    # times: block n is at 1_700_000_000 + 12 n; ISO 8601 in UTC, or unix seconds
    iso = "2023-11-14T22:15:44"  # 1_700_000_144: block 12
    assert unix_time(iso, "--until") == 1_700_000_144
    assert ok("trace", "forward", A, "--until", iso)["rows"] == to12["rows"]
    assert ok("trace", "forward", A, "--until", "1700000144")["rows"] == to12["rows"]
    assert "--since" in refused("trace", "forward", A, "--since", "yesterday")
    assert "Ethereum only" in refused("trace", "forward", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
                                      "--from-block", "3")


def test_paths_taint_and_exposure(env: None, eth: Graph) -> None:
    assert ok("trace", "paths", A, H) == displayed(paths(eth, A, H))
    assert ok("taint", "--method", "haircut", "--source", A) == displayed(
        taint(eth, "haircut", [A]).as_dict())
    sent = ok("exposure", A, "--direction", "sent", "--max-hops", "2")
    assert sent == displayed(exposure(eth, A, "sent", ExposureLimits(max_hops=2)).as_dict())
    # A's 100 to B: B's balance (50 short from before) sends 30, a fee of 7, then its 63
    # left: all of it to D, tagged exchange
    assert [(r["category"], r["indirect_value"]) for r in sent["rows"]] == [("exchange", "63")]
    table = run("taint", "--method", "fifo", "--source", A, "--format", "table")
    assert table.exit_code == 0 and "ETH" in table.stdout


def test_refusals(env: None) -> None:
    assert "Bitcoin only" in refused("trace", "cluster-flows", A)
    assert "Bitcoin only" in refused("trace", "cluster-flows", "x", "--chain", "ethereum")
    assert "EIP-55" in refused("trace", "forward", eip55_checksum(A).swapcase()
                               .replace("0X", "0x"))
    assert "one asset" in refused("taint", "--method", "fifo", "--source", A, "--asset", "*")
    assert "no clusters" in refused("exposure", f"cluster:{A}", "--chain", "ethereum")
    assert "no clusters" in refused("trace", "paths", A, f"cluster:{H}")
    assert "neither" in refused("trace", "forward", "0x1234")
