"""A local JSON-RPC node that replays ethereum-etl's recorded answers (tests only).

ethereum-etl records each answer as `web3_response.<method>_<params>.json`, the params
flattened by its MockWeb3Provider (dict keys sorted, `key_value`, everything lower-case, joined
by `_`). The server rebuilds that name from each request (single or batch) and answers with
the recorded `result`; what was not recorded gets a JSON-RPC error, as a node without that
method (or that block) would answer. `fail` names requests to answer with an error.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def param_to_str(param: Any) -> str:
    if isinstance(param, dict):
        return "_".join(f"{k}_{param_to_str(param[k])}" for k in sorted(param))
    if isinstance(param, list):
        return "_".join(param_to_str(x) for x in param)
    if isinstance(param, bool):
        return str(param).lower()
    return str(param).lower()


def request_key(method: str, params: list[Any]) -> str:
    return f"{method}_{'_'.join(param_to_str(p) for p in params)}"


class ReplayNode(ThreadingHTTPServer):
    answers: dict[str, Any]
    calls: list[str]
    fail: set[str]
    batches: bool

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def answer(self, req: dict[str, Any]) -> dict[str, Any]:
        key = request_key(req["method"], req.get("params") or [])
        self.calls.append(key)
        if key in self.answers and key not in self.fail:
            return {"jsonrpc": "2.0", "id": req["id"], "result": self.answers[key]}
        known = any(k.startswith(req["method"] + "_") for k in self.answers)
        error = ({"code": -32000, "message": f"not recorded: {key}"} if known or key in self.fail
                 else {"code": -32601, "message": f"the method {req['method']} does not exist"})
        return {"jsonrpc": "2.0", "id": req["id"], "error": error}


class _Handler(BaseHTTPRequestHandler):
    server: ReplayNode

    def do_POST(self) -> None:
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if isinstance(req, list):
            body: Any = ([self.server.answer(r) for r in req] if self.server.batches
                         else {"jsonrpc": "2.0", "id": None,
                               "error": {"code": -32600, "message": "batches not supported"}})
        else:
            body = self.server.answer(req)
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def recorded(root: Path) -> dict[str, Any]:
    """Every `web3_response.*.json` under `root`: request key -> result."""
    out = {}
    for f in sorted(root.rglob("web3_response.*.json")):
        body = json.loads(f.read_text())
        if "result" in body:
            out[f.name.removeprefix("web3_response.").removesuffix(".json")] = body["result"]
    return out


@contextmanager
def replay_node(answers: dict[str, Any], *, batches: bool = True) -> Iterator[ReplayNode]:
    server = ReplayNode(("127.0.0.1", 0), _Handler)
    server.answers, server.calls, server.fail, server.batches = dict(answers), [], set(), batches
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
