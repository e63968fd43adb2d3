"""`GET /export/{json,csv,graphml}`: a saved case's graph (`?case=<id>`), or the graph of a
trace request (`?trace=forward|backward&start=...`, `?paths=1&source=...&target=...`; on
Ethereum also `chain`, `asset`, `from_block`, `to_block`, `since`, `until`), as a file. The
graph is the one GraphQL's `graph` fields give (api/graph.py's visualiser form, the same
analytics, the same case merge), so a GraphML file opened in Gephi is what the front-end
drew.

Formats (docs/cases.md): JSON is the visualiser form `{nodes, edges}` with `meta`; CSV is a
ZIP of `edges.csv` (an edge list), `nodes.csv` and `meta.json`; GraphML is written by
networkx. Amounts are decimal strings everywhere (exact; GraphML readers take `int` for 32
bits). Every export of a case is recorded in the case with the SHA-256 of the bytes handed
out (chain of custody).

Errors are JSON `{error, message}` with the GraphQL error's type and message: 400 (bad
parameter, bad address), 403 (role), 404 (no such case, start or format), 413 (a limit),
503 (database).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import networkx as nx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from analysis.accounts import WINDOW_FIELDS
from api.cases import (
    CaseStore,
    TraceRequest,
    TraceRun,
    VisGraph,
    canonical_json,
    case_graph,
    now,
    run_trace,
)
from api.context import Principal
from api.schema.errors import (
    DatabaseUnavailable,
    InvalidAddress,
    InvalidInput,
    LimitExceeded,
    NotFoundError,
    PermissionDenied,
    as_problem,
)
from chaintrail.errors import ChaintrailError, DatabaseError, ParameterError
from chaintrail.errors import PermissionDenied as Denied
from cypher.runner import AsyncGraph, Row
from loaders.ethereum.address import displayed

log = logging.getLogger(__name__)

FORMATS: dict[str, tuple[str, str]] = {
    "json": ("application/json", "json"),
    "csv": ("application/zip", "csv.zip"),
    "graphml": ("application/graphml+xml", "graphml"),
}
"""Format -> (media type, file extension)."""

STATUS = {NotFoundError: 404, InvalidAddress: 400, InvalidInput: 400, LimitExceeded: 413,
          PermissionDenied: 403, DatabaseUnavailable: 503}

_INTS = ("max_hops", "min_value", "max_fanout", "max_rows", "k", *WINDOW_FIELDS)
_PARAMS = frozenset({"case", "trace", "paths", "start", "source", "target", "stop_at",
                     "include_super_nodes", "chain", "asset", *_INTS})
_INTEGER = re.compile(r"^-?[0-9]{1,30}$")
_EDGE_COLUMNS = ("id", "source", "target", "kind", "value", "time")
_NODE_COLUMNS = ("id", "kind", "label")


@dataclass(frozen=True, slots=True)
class Ask:
    """What an export asks for: a case by id, or a trace request."""

    case: str | None = None
    request: TraceRequest | None = None

    @property
    def name(self) -> str:
        if self.case is not None:
            return f"case-{self.case}"
        assert self.request is not None
        return f"{self.request.kind}-{self.request.ref}"


def parse_query(query: Mapping[str, list[str]]) -> Ask:
    """The export's parameters, checked: ParameterError naming the parameter."""
    unknown = sorted(set(query) - _PARAMS)
    if unknown:
        raise ParameterError(f"unknown parameter(s): {', '.join(unknown)}")
    for name, values in query.items():
        if len(values) > 1 and name != "stop_at":
            raise ParameterError(f"{name} given {len(values)} times")
    one = {name: values[0] for name, values in query.items()}
    modes = [m for m in ("case", "trace", "paths") if m in one]
    if len(modes) != 1:
        raise ParameterError("give one of case=<id>, trace=forward|backward or paths=1")
    if modes == ["case"]:
        if len(one) > 1:
            raise ParameterError(f"case takes no other parameters, not "
                                 f"{', '.join(sorted(set(one) - {'case'}))}")
        if not one["case"]:
            raise ParameterError("case must name a case id")
        return Ask(case=one["case"])
    given: dict[str, Any] = {k: v for k, v in one.items() if k not in ("trace", "paths")}
    for name in _INTS:
        if name in given:
            given[name] = _int(name, given[name])
    if "include_super_nodes" in given:
        given["include_super_nodes"] = _bool("include_super_nodes",
                                             given["include_super_nodes"])
    if "stop_at" in query:
        given["stop_at"] = [c for v in query["stop_at"] for c in v.split(",") if c]
    if modes == ["paths"]:
        if not _bool("paths", one["paths"]):
            raise ParameterError("paths must be 1 (or true) to ask for a path search")
        return Ask(request=TraceRequest.make("paths", given))
    if one["trace"] not in ("forward", "backward"):
        raise ParameterError(f"trace must be forward or backward, not {one['trace']!r}")
    return Ask(request=TraceRequest.make(one["trace"], given))


def _int(name: str, raw: str) -> int:
    if not _INTEGER.match(raw):
        raise ParameterError(f"{name} must be an integer, not {raw!r}")
    return int(raw)


def _bool(name: str, raw: str) -> bool:
    if raw.lower() in ("1", "true"):
        return True
    if raw.lower() in ("0", "false"):
        return False
    raise ParameterError(f"{name} must be 1 or 0 (true or false), not {raw!r}")


# --- the formats -----------------------------------------------------------------------------

def exact(g: VisGraph) -> VisGraph:
    """The visualiser form as GraphQL gives it: amounts as decimal strings (Satoshi, Amount),
    Ethereum addresses in their EIP-55 case."""
    shown: VisGraph = displayed({
        "nodes": g["nodes"],
        "edges": [{**e, "value": None if e["value"] is None else str(e["value"])}
                  for e in g["edges"]]})
    return shown


def _cell(v: Any) -> Any:
    """A property as one flat value: lists and maps as canonical JSON."""
    if isinstance(v, list | dict):
        return canonical_json(v).decode()
    return v


def _flat(item: Mapping[str, Any], first: tuple[str, ...]) -> dict[str, Any]:
    row = {k: item[k] for k in first}
    row.update({k: _cell(v) for k, v in item["properties"].items() if k not in row})
    return row


def _table(rows: list[dict[str, Any]], first: tuple[str, ...]) -> bytes:
    extra = sorted({k for r in rows for k in r} - set(first))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=[*first, *extra], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_json(g: VisGraph, meta: dict[str, Any]) -> bytes:
    return json.dumps({**g, "meta": meta}, indent=1, ensure_ascii=False).encode("utf-8")


def to_csv(g: VisGraph, meta: dict[str, Any]) -> bytes:
    """A ZIP: edges.csv (id, source, target, kind, value, time, then the edge properties:
    txid, height, hop, output, ...), nodes.csv (id, kind, label, then the node properties)
    and meta.json. One file, so one export is one recorded digest."""
    at = datetime.strptime(meta["exported_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (
                ("edges.csv", _table([_flat(e, _EDGE_COLUMNS) for e in g["edges"]],
                                     _EDGE_COLUMNS)),
                ("nodes.csv", _table([_flat(n, _NODE_COLUMNS) for n in g["nodes"]],
                                     _NODE_COLUMNS)),
                ("meta.json", json.dumps(meta, indent=1, ensure_ascii=False).encode())):
            info = zipfile.ZipInfo(name, date_time=at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def to_graphml(g: VisGraph, meta: dict[str, Any]) -> bytes:
    """GraphML through networkx: a directed multigraph (two payments between one pair of
    addresses are two edges), edge ids as GraphML edge ids, `meta` as a graph attribute in
    JSON; nulls are left out (GraphML has none)."""
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    out.graph["meta"] = canonical_json(meta).decode()
    for n in g["nodes"]:
        attrs = {k: v for k, v in _flat(n, _NODE_COLUMNS).items() if k != "id"}
        out.add_node(n["id"], **{k: v for k, v in attrs.items() if v is not None})
    for e in g["edges"]:
        attrs = {k: v for k, v in _flat(e, _EDGE_COLUMNS).items()
                 if k not in ("id", "source", "target")}
        out.add_edge(e["source"], e["target"], key=e["id"],
                   **{k: v for k, v in attrs.items() if v is not None})
    buf = io.BytesIO()
    nx.write_graphml(out, buf)
    return buf.getvalue()


WRITERS: dict[str, Callable[[VisGraph, dict[str, Any]], bytes]] = {
    "json": to_json, "csv": to_csv, "graphml": to_graphml}


def filename(ask: Ask, at: str, fmt: str) -> str:
    stamp = re.sub(r"[-:]|\.\d+", "", at)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", ask.name)[:120]
    return f"chaintrail-{safe}-{stamp}.{FORMATS[fmt][1]}"


# --- the route -------------------------------------------------------------------------------

def error_response(e: ChaintrailError) -> JSONResponse:
    """A chaintrail error as the GraphQL schema names it, with its HTTP status."""
    problem = as_problem(e)
    if problem is None:
        if not isinstance(e, DatabaseError):
            raise e
        log.error("export failed", exc_info=e)
        return JSONResponse({"error": "DatabaseUnavailable",
                             "message": "the database could not answer; see the server log"},
                            status_code=503)
    return JSONResponse({"error": type(problem).__name__, "message": problem.message},
                        status_code=STATUS[type(problem)])


def require_reader(request: Request) -> Principal:
    """The caller the gate (api/gate.py) put on the request, if it may read."""
    who: Principal | None = getattr(request.state, "principal", None)
    if who is None or not who.may("reader"):
        raise Denied(f"this needs the reader role; the key has {who.role if who else 'no key'}")
    return who


def _item_meta(item: Row, run: TraceRun | None) -> dict[str, Any]:
    """A case item for the export's meta, removed ones included (the whole record): a saved
    trace with its request, its saved digest and this export's run of it."""
    out = {k: v for k, v in item.items() if k != "params"}
    out["request"] = json.loads(item["params"]) if item["params"] else None
    out["rerun"] = None if run is None else {"digest": run.digest, "ran_at": run.ran_at,
                                             "unchanged": run.digest == item["digest"]}
    return out


async def export(graph: AsyncGraph, fmt: str, request: Request) -> Response:
    if fmt not in FORMATS:
        return JSONResponse({"error": "NotFoundError",
                             "message": f"no export format {fmt!r}; one of "
                                        f"{', '.join(FORMATS)}"}, status_code=404)
    try:
        who = require_reader(request)
        ask = parse_query({k: request.query_params.getlist(k) for k in request.query_params})
        at = now()
        meta: dict[str, Any] = {"format": fmt, "exported_at": at, "exported_by": who.name,
                                "exported_by_key": who.key_id}
        store = CaseStore(graph)
        if ask.case is not None:
            case, items, runs = await store.graph_of(ask.case)
            g = case_graph(items, runs)
            meta["case"] = case
            meta["items"] = [_item_meta(it, runs.get(it["id"]))
                             for it in await store.items(ask.case, include_removed=True)]
        else:
            assert ask.request is not None
            run = await run_trace(graph, ask.request)
            g = run.graph
            meta.update(request=ask.request.as_dict(), digest=run.digest, ran_at=run.ran_at)
        content = WRITERS[fmt](exact(g), meta)
        if ask.case is not None:
            await store.record_export(who, ask.case, fmt, content, at)
    except ChaintrailError as e:
        return error_response(e)
    return Response(content, media_type=FORMATS[fmt][0], headers={
        "Content-Disposition": f'attachment; filename="{filename(ask, at, fmt)}"'})


def export_router(graph_of: Callable[[], AsyncGraph]) -> APIRouter:
    """The /export routes, on the app's graph (create_app's `graph`)."""
    router = APIRouter(prefix="/export", tags=["export"])

    @router.get("/{fmt}", response_class=Response, responses={
        200: {"description": "the file"}, 400: {"description": "a bad parameter"},
        403: {"description": "a role without the right"},
        404: {"description": "no such case, start or format"},
        413: {"description": "beyond a limit"}, 503: {"description": "database unavailable"}})
    async def export_graph(fmt: str, request: Request, case: str | None = None,
                           trace: str | None = None, paths: str | None = None,
                           start: str | None = None, source: str | None = None,
                           target: str | None = None, max_hops: str | None = None,
                           min_value: str | None = None, max_fanout: str | None = None,
                           max_rows: str | None = None, stop_at: str | None = None,
                           k: str | None = None,
                           include_super_nodes: str | None = None) -> Response:
        """A case's graph (`case=<id>`) or a trace request's (`trace=forward|backward` with
        start, max_hops, min_value, max_fanout, max_rows, stop_at; or `paths=1` with source,
        target, max_hops, k, include_super_nodes) as json, csv (a ZIP) or graphml."""
        return await export(graph_of(), fmt, request)

    return router
