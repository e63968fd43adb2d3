"""`chaintrail load bitcoin-rpc` against recorded Bitcoin Core answers, replayed over HTTP.

The recordings (bitcoin-etl's test fixtures) come from an old node: it knows getblock
verbosity 2 but not 3, so the loader must fall back and fetch prevouts with getrawtransaction.
Old nodes do so in two ways: some refuse 3 (-8), Core 22 and before answer it as 2 (no
`prevout`, no error); the replay does either (`as2`). The results are compared with
bitcoin-etl's own expected exports beside the recordings.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cypher.runner import Graph
from tests.helpers import run_cli, wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]


class Replay(ThreadingHTTPServer):
    answers: dict[str, Any]
    calls: list[str]
    as2: bool = False
    """Answer getblock verbosity 3 with the verbosity-2 body, as Core 22 and before do."""
    missing: frozenset[str] = frozenset()
    """Transactions getrawtransaction does not find (the node has -txindex)."""
    auth: str | None = None
    """The Basic credentials the node wants; a request without them gets HTTP 401."""


class Handler(BaseHTTPRequestHandler):
    server: Replay

    def do_POST(self) -> None:
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.auth is not None and self.headers.get("Authorization") != \
                "Basic " + base64.b64encode(self.server.auth.encode()).decode():
            self.send_response(401)  # Core: an empty body
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        params = [str(p).lower() for p in req["params"]]
        key = "_".join([req["method"], *params])
        self.server.calls.append(key)
        if req["method"] == "getblock" and params[1:] == ["3"] and self.server.as2:
            key = key.removesuffix("_3") + "_2"
        if key not in self.server.answers and req["method"] == "getrawtransaction":
            key = f"getrawtransaction_{params[0]}"  # recorded without the verbose flag
        if req["method"] == "getrawtransaction" and params[0] in self.server.missing:
            body = {"result": None, "id": req["id"], "error": {
                "code": -5, "message": "No such mempool or blockchain transaction. Use "
                                       "gettransaction for wallet transactions."}}
        elif key in self.server.answers:
            body = {"result": self.server.answers[key], "error": None, "id": req["id"]}
        else:  # what an old node says to verbosity 3, or to anything not recorded
            body = {"result": None, "id": req["id"],
                    "error": {"code": -8, "message": f"not recorded: {key}"}}
        data = json.dumps(body).encode()
        self.send_response(200 if body["error"] is None else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def recordings(shared_data: Path) -> Path:
    return shared_data / "bitcoin" / "rpc" / "test_export_blocks_job" / "bitcoin"


@pytest.fixture(scope="module")
def node(recordings: Path) -> Iterator[Replay]:
    server = Replay(("127.0.0.1", 0), Handler)
    server.answers, server.calls = {}, []
    for f in recordings.glob("*/rpc_response_*.json"):
        server.answers[f.stem.removeprefix("rpc_response_")] = json.loads(f.read_text())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def expected(recordings: Path, kind: str) -> dict[str, dict[str, Any]]:
    """bitcoin-etl's expected rows by hash. Some cases were exported without input
    enrichment (input values 0); where a transaction appears twice, the enriched row wins."""
    out: dict[str, dict[str, Any]] = {}
    for f in sorted(recordings.glob(f"*/expected_{kind}.json")):
        for line in f.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                old = out.get(row["hash"])
                if old is None or row.get("input_value", 0) >= old.get("input_value", 0):
                    out[row["hash"]] = row
    return out


@pytest.mark.parametrize("as2", [False, True], ids=["refuses-3", "takes-3-as-2"])
def test_rpc_load_matches_bitcoin_etl_exports(
    node: Replay, recordings: Path, graph: Graph, cli_env: dict[str, str], as2: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(node, "as2", as2)
    node.calls.clear()
    wipe(graph)
    # a node URL with a user and password: neither is stored with the blocks
    url = f"http://alice:s3cret@127.0.0.1:{node.server_address[1]}/"
    for lo, hi in ((0, 1), (50000, 50002)):
        run_cli(cli_env, "load", "bitcoin-rpc", "--url", url, "--from", str(lo), "--to", str(hi))
    with graph.driver.session(database=graph.database) as s:
        sources = [r["s"] for r in s.run("MATCH (b:Block) RETURN b.source AS s")]
    assert sources and all("127.0.0.1" in x and "s3cret" not in x and "alice" not in x
                           for x in sources)
    assert any(c.endswith("_3") for c in node.calls)  # asked for prevouts first ...
    assert any(c.startswith("getrawtransaction_") for c in node.calls)  # ... then fetched them
    blocks = expected(recordings, "blocks")
    assert len(blocks) == 5
    for h, e in blocks.items():
        b = graph.read("lookup/block", {"hash": h})[0]
        assert (b["height"], b["tx_count"], b["size"], b["weight"], b["merkle_root"],
                b["time"], b["bits"], b["nonce"]) == (
            e["number"], e["transaction_count"], e["size"], e["weight"], e["merkle_root"],
            e["timestamp"], e["bits"], int(e["nonce"], 16))
    txs = expected(recordings, "transactions")
    assert len(txs) >= 6
    for txid, e in txs.items():
        t = graph.read("lookup/transaction", {"txid": txid})[0]
        assert (t["block_hash"], t["height"], t["input_count"], t["output_count"],
                t["input_value"], t["output_value"], t["fee"], t["size"]) == (
            e["block_hash"], e["block_number"], e["input_count"], e["output_count"],
            e["input_value"], e["output_value"], e["fee"], e["size"])
        assert [(i["prev_txid"], i["vout"], i["value"], [i["address"]]) for i in t["inputs"]] == [
            (i["spent_transaction_hash"], i["spent_output_index"], i["value"], i["addresses"])
            for i in e["inputs"]]
        assert [(o["value"], [o["address"]]) for o in t["outputs"]] == [
            (o["value"], o["addresses"]) for o in e["outputs"]]


def test_rpc_errors_are_clear(node: Replay, cli_env: dict[str, str]) -> None:
    url = f"http://alice:s3cret@127.0.0.1:{node.server_address[1]}/"
    proc = run_cli(cli_env, "load", "bitcoin-rpc", "--url", url, "--from", "7", "--to", "7",
                   check=False)
    assert proc.returncode == 1
    assert "getblockhash" in proc.stderr and "not recorded" in proc.stderr
    assert "s3cret" not in proc.stderr  # the node's password is not printed
    proc = run_cli(cli_env, "load", "bitcoin-rpc", "--url", "http://127.0.0.1:9/",
                   "--from", "0", "--to", "0", check=False)
    assert proc.returncode == 1 and "unreachable" in proc.stderr
    node.auth = "alice:s3cret"
    try:
        proc = run_cli(cli_env, "load", "bitcoin-rpc", "--url",
                       f"http://alice:wrong@127.0.0.1:{node.server_address[1]}/",
                       "--from", "0", "--to", "0", check=False)
    finally:
        node.auth = None
    assert proc.returncode == 1 and "refused the credentials (HTTP 401)" in proc.stderr
    assert "wrong" not in proc.stderr


def test_a_transaction_the_node_does_not_find_leaves_only_its_inputs_unresolved(
    node: Replay, graph: Graph, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    wipe(graph)
    gone = "76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea"
    monkeypatch.setattr(node, "missing", frozenset({gone}))
    url = f"http://alice:s3cret@127.0.0.1:{node.server_address[1]}/"
    run_cli(cli_env, "load", "bitcoin-rpc", "--url", url, "--from", "50000", "--to", "50002")
    with graph.driver.session(database=graph.database) as s:
        rows = s.run("MATCH (o:Output)-[:SPENT_BY]->(:Transaction) "
                     "RETURN o.txid AS txid, o.value IS NOT NULL AS known").data()
    assert {r["txid"]: r["known"] for r in rows} == {
        gone: False,
        "0dd0394c6240355f4e4b3c88028f678ed746cebee3b3e8509620733f018914c9": True,
        "0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216": True,
    }


B50001 = "000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141"
SPENT = "76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea"


def _without_size(b: dict[str, Any]) -> None:
    del b["size"]


def _bad_prev(b: dict[str, Any]) -> None:
    b["previousblockhash"] = "zz" * 32


def _far_time(b: dict[str, Any]) -> None:
    b["time"] = 2**40


def _bad_value(t: dict[str, Any]) -> None:
    t["vout"][0]["value"] = "abc"


def _infinite_value(t: dict[str, Any]) -> None:
    t["vout"][0]["value"] = "Infinity"


@pytest.mark.parametrize(("key", "change"), [
    (f"getblock_{B50001}_2", _without_size),
    (f"getblock_{B50001}_2", _bad_prev),
    (f"getblock_{B50001}_2", _far_time),
    (f"getrawtransaction_{SPENT}_true", _bad_value),
    (f"getrawtransaction_{SPENT}_true", _infinite_value),
    (f"getrawtransaction_{SPENT}_true", None),  # the node answers null
    ("getblockhash_50001", None),
])
def test_a_malformed_node_answer_is_a_clear_error_and_keeps_the_blocks_before(
    node: Replay, graph: Graph, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    key: str, change: Any,
) -> None:
    """A node answer of the wrong shape (a field missing, not hex, out of range, not a number,
    null): `bad input` naming the request, no traceback, and block 50000, loaded before it,
    stays."""
    if key not in node.answers:
        key = key.removesuffix("_true")
    assert key in node.answers
    answers = dict(node.answers)
    if change is None:
        answers[key] = None
    else:
        answers[key] = json.loads(json.dumps(node.answers[key]))
        change(answers[key])
    monkeypatch.setattr(node, "answers", answers)
    wipe(graph)
    url = f"http://alice:s3cret@127.0.0.1:{node.server_address[1]}/"
    proc = run_cli(cli_env, "load", "bitcoin-rpc", "--url", url, "--from", "50000",
                   "--to", "50002", check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "bad input" in proc.stderr and ("block 5000" in proc.stderr
                                           or SPENT in proc.stderr), proc.stderr
    assert [r["height"] for r in graph.read("lookup/block", {"height": 50000})] == [50000]
