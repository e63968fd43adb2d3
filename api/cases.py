"""Investigation cases: what an investigator saves (addresses, transactions, traces, notes),
with who did what and when, in Neo4j (docs/cases.md).

Two parts. The pure part checks input (addresses, txids, texts), normalises a trace request
to one canonical form, digests a trace's answer and merges a case's graph. `CaseStore` is the
I/O: the stored queries `cypher/case/*` over the API's AsyncGraph, every change in one write
transaction, so a bad item leaves nothing half-written. Both the GraphQL schema
(api/schema/cases.py) and the exports (api/export.py) use it.

Why here and not in `analysis/`: checking an address needs `loaders` (its codecs), which
`analysis` may not import (tests/test_layout.py).

A saved trace keeps its request and the SHA-256 of its answer's canonical JSON with the time
it ran: re-running the request later and comparing digests shows whether the answer changed
since (new blocks spending the traced coins, new tags, a reorganisation).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, cast, get_args

from neo4j import AsyncManagedTransaction

from analysis.accounts import (
    MAX_AMOUNT,
    WINDOW_FIELDS,
    Window,
    asset_label,
    eth_kind,
    infer_chain,
    parse_asset,
)
from analysis.steps import Steps, check_limit, run_async
from analysis.trace import (
    MAX_PATH_HOPS,
    MAX_PATHS,
    MAX_ROWS,
    Endpoint,
    TraceLimits,
    paths_graph,
    paths_steps,
    start_kind,
    trace_steps,
)
from api.context import Principal
from api.graph import vis_graph
from chaintrail.errors import LimitError, NotFound, ParameterError
from cypher.registry import normal_address
from cypher.runner import AsyncGraph, Row
from loaders.bitcoin.address import decode_address
from loaders.ethereum.address import check_address as eth_address
from loaders.ethereum.address import is_eth_like

TraceKind = Literal["forward", "backward", "paths"]
TRACE_KINDS: tuple[TraceKind, ...] = get_args(TraceKind)
ItemKind = Literal["address", "transaction", "trace", "note"]

MAX_NAME = 200
"""Characters of a case's name at most."""
MAX_TEXT = 10_000
"""Characters of a description or a note at most."""
MAX_REFS = 100
"""Addresses (and, separately, transactions) added by one call at most."""
MAX_CASE_ITEMS = 1_000
"""Live items of one case at most: its graph is built from all of them at once."""
MAX_CASE_ROWS = MAX_ROWS
"""Rows the traces of one case may produce in all (the sum of their max_rows; k * max_hops
for paths): a case's graph re-runs every trace, and this bounds the work."""

MAX_INTEGER = 2**63 - 1
"""Neo4j's largest integer: a larger min_value could not even be sent as a parameter."""

VisGraph = dict[str, list[dict[str, Any]]]

_TXID = re.compile(r"[0-9a-fA-F]{64}")


# --- pure: checks ----------------------------------------------------------------------------

def now() -> str:
    """The current time as stored: ISO 8601 UTC with microseconds (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return str(uuid.uuid4())


def check_address(address: str) -> str:
    """The address as the graph stores it, or AddressError: Bitcoin addresses decode with
    their checksum (bech32 lowercased), `0x` addresses are checked against EIP-55 and
    lowercased (as the graph stores them)."""
    if is_eth_like(address):
        return eth_address(address)
    decode_address(address)
    return normal_address(address)


def check_txid(txid: str) -> str:
    if not _TXID.fullmatch(txid):
        raise ParameterError(f"transactions: {txid!r} is not a txid (64 hex digits)")
    return txid.lower()


def check_text(name: str, value: str, *, limit: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise ParameterError(f"{name} must not be empty")
    if len(text) > limit:
        raise LimitError(f"{name} must be at most {limit} characters, not {len(text)}")
    return text


def canonical_json(value: Any) -> bytes:
    """One byte form of a JSON value, so equal answers have equal digests: keys sorted, no
    spaces, UTF-8 (RFC 8785 style; our values hold only strings, integers, booleans and
    nulls, so number formatting cannot differ)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def digest(value: Any) -> str:
    """Hex SHA-256 of a value's canonical JSON."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


# --- pure: trace requests --------------------------------------------------------------------

_TRACE_FIELDS = ("start", "max_hops", "min_value", "max_fanout", "max_rows", "stop_at")
_PATHS_FIELDS = ("source", "target", "max_hops", "k", "include_super_nodes")
_ETH_FIELDS = ("chain", "asset", *WINDOW_FIELDS)
"""Ethereum's own fields, for either kind; in the canonical form only on Ethereum (so a
Bitcoin request saved before they existed keeps its form)."""


@dataclass(frozen=True, slots=True)
class TraceRequest:
    """A trace or a path search as saved in a case and as an export asks for it: enough to
    run it again exactly. Build it with `make`, which checks and normalises. An Ethereum
    request (`chain`, inferred from a 0x start or source) also has its asset and its window
    of blocks and times, as traceForward and paths take them."""

    kind: TraceKind
    start: str | None = None
    source: str | None = None
    target: str | None = None
    max_hops: int = 6
    min_value: int = 0
    max_fanout: int = 100
    max_rows: int = 1_000
    stop_at: tuple[str, ...] = ()
    k: int = 3
    include_super_nodes: bool = False
    chain: str = "bitcoin"
    asset: str | None = None
    """Ethereum: 'ETH', a token contract (lower case) or '*' for every asset."""
    from_block: int | None = None
    to_block: int | None = None
    since: int | None = None
    until: int | None = None

    @property
    def window(self) -> Window:
        return Window(**{n: getattr(self, n) for n in WINDOW_FIELDS})

    @classmethod
    def make(cls, kind: str, given: Mapping[str, Any]) -> TraceRequest:
        """Check a request (ParameterError / LimitError / AddressError naming the field) and
        normalise it: a txid in lowercase, an output as 'txid:n', stop categories sorted.
        `given` holds only the fields the caller set (None means not set)."""
        if kind not in TRACE_KINDS:
            raise ParameterError(f"kind must be one of {', '.join(TRACE_KINDS)}, not {kind!r}")
        allowed = (*(_PATHS_FIELDS if kind == "paths" else _TRACE_FIELDS), *_ETH_FIELDS)
        set_ = {k: v for k, v in given.items() if v is not None}
        for name in set_:
            if name not in allowed:
                raise ParameterError(f"{name} does not apply to a {kind} request "
                                     f"(it takes {', '.join(allowed)})")
        first = set_.get("source" if kind == "paths" else "start") or ""
        if infer_chain(first, set_.pop("chain", None)) == "ethereum":
            return cls._ethereum(kind, set_)
        for name in _ETH_FIELDS[1:]:
            if name in set_:
                raise ParameterError(f"{name} applies to Ethereum requests only")
        if kind == "paths":
            return cls._paths(set_)
        return cls._trace(cast(TraceKind, kind), set_)

    @classmethod
    def _ethereum(cls, kind: TraceKind, given: dict[str, Any]) -> TraceRequest:
        """An Ethereum request: its start (an account, a transaction hash or a transfer id)
        or its two accounts normalised (an account lower-cased after its EIP-55 check), the
        asset ('ETH', a token contract, '*') and the window checked."""
        ends = ("source", "target") if kind == "paths" else ("start",)
        for name in ends:
            value = given.get(name)
            if not value:
                raise ParameterError(f"{name} is required for a {kind} request")
            what, key = eth_kind(value, name)
            if kind == "paths" and what != "address":
                raise ParameterError(f"{name} must be an Ethereum account: a path runs between "
                                     "two accounts (there are no clusters on Ethereum)")
            given[name] = eth_address(value) if what == "address" else key
        if "stop_at" in given:
            given["stop_at"] = tuple(sorted(set(given["stop_at"])))
        asset = asset_label(parse_asset(given.pop("asset", None)))
        req = cls(kind, chain="ethereum", asset=asset, **given)
        _ = req.window  # ParameterError naming a bad bound
        if kind == "paths":
            check_limit("max_hops", req.max_hops, MAX_PATH_HOPS, " for paths")
            check_limit("k", req.k, MAX_PATHS)
        else:
            req.limits()
            if req.min_value > MAX_AMOUNT:
                raise LimitError(f"min_value must be at most {MAX_AMOUNT}, not {req.min_value}")
        return req

    @classmethod
    def _trace(cls, kind: TraceKind, given: dict[str, Any]) -> TraceRequest:
        start = given.pop("start", None)
        if not start:
            raise ParameterError(f"start is required for a {kind} trace")
        stop_at = tuple(sorted(set(given.pop("stop_at", ()))))
        req = cls(kind, start=start, stop_at=stop_at, **given)
        req.limits()  # checks max_hops, min_value, max_fanout, max_rows (first, as GraphQL)
        if req.min_value > MAX_INTEGER:
            raise LimitError(f"min_value must be at most {MAX_INTEGER}, not {req.min_value}")
        return replace(req, start=_start(start))

    @classmethod
    def _paths(cls, given: dict[str, Any]) -> TraceRequest:
        ends: dict[str, Any] = {}
        for name in ("source", "target"):
            value = given.pop(name, None)
            if not value:
                raise ParameterError(f"{name} is required for a paths request")
            end = Endpoint.parse(value)  # a cluster's id is its smallest address
            ends[name] = ("cluster:" if end.cluster else "") + check_address(end.value)
        req = cls("paths", **ends, **given)
        check_limit("max_hops", req.max_hops, MAX_PATH_HOPS, " for paths")
        check_limit("k", req.k, MAX_PATHS)
        return req

    @classmethod
    def from_json(cls, text: str) -> TraceRequest:
        """A request saved by `to_json` (checked again: what is stored is not trusted)."""
        d = json.loads(text)
        return cls.make(d.pop("kind"), d)

    def as_dict(self) -> dict[str, Any]:
        """The canonical form: the kind and the fields that apply to it."""
        d = asdict(self)
        fields = _PATHS_FIELDS if self.kind == "paths" else _TRACE_FIELDS
        if self.chain == "ethereum":
            fields = (*fields, *_ETH_FIELDS)
        out = {"kind": self.kind, **{k: d[k] for k in fields}}
        if "stop_at" in out:
            out["stop_at"] = list(out["stop_at"])
        return out

    def to_json(self) -> str:
        return canonical_json(self.as_dict()).decode()

    @property
    def ref(self) -> str:
        """What the request is about, for lists: the start, or 'source -> target'."""
        return f"{self.source} -> {self.target}" if self.kind == "paths" else str(self.start)

    @property
    def row_budget(self) -> int:
        """Rows (edges) its answer has at most."""
        return self.k * self.max_hops if self.kind == "paths" else self.max_rows

    def limits(self) -> TraceLimits:
        return TraceLimits(max_hops=self.max_hops, min_value=self.min_value,
                           max_fanout=self.max_fanout, max_rows=self.max_rows,
                           stop_at_categories=self.stop_at)

    def _eth_args(self) -> dict[str, Any]:
        if self.chain != "ethereum":
            return {}
        return {"chain": "ethereum", "asset": self.asset, "window": self.window}

    def steps(self) -> Steps[dict[str, Any]]:
        """The analytic (analysis.trace), as steps: its answer and its graph."""
        if self.kind == "paths":
            assert self.source is not None and self.target is not None
            result = yield from paths_steps(self.source, self.target, max_hops=self.max_hops,
                                            k=self.k,
                                            include_super_nodes=self.include_super_nodes,
                                            **self._eth_args())
            return {"answer": result, "graph": paths_graph(result)}
        assert self.start is not None
        t = yield from trace_steps(self.start, self.kind, self.limits(), **self._eth_args())
        return {"answer": t.as_dict(), "graph": t.as_graph()}


def _start(start: str) -> str:
    kind = start_kind(start)  # ParameterError for what is none of the three
    if kind == "address":
        return check_address(start)
    if kind == "txid":
        return start.lower()
    txid, vout = start.split(":")
    return f"{txid.lower()}:{int(vout)}"


@dataclass(frozen=True, slots=True)
class TraceRun:
    """A request's answer at one time: the visualiser graph and the digest of the answer."""

    request: TraceRequest
    graph: VisGraph
    digest: str
    ran_at: str


async def run_trace(graph: AsyncGraph, request: TraceRequest) -> TraceRun:
    """Run a request on the graph (the same code path as GraphQL's traceForward, ...)."""
    ran_at = now()
    out = await run_async(graph, request.steps())
    return TraceRun(request, vis_graph(out["graph"]), digest(out["answer"]), ran_at)


# --- pure: a case's graph --------------------------------------------------------------------

@dataclass(slots=True)
class _Merged:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    edge_ids: set[str] = field(default_factory=set)

    def node(self, n: Mapping[str, Any], item: str) -> None:
        have = self.nodes.setdefault(n["id"], {**n, "properties": {"case_items": []}})
        props = have["properties"]
        for k, v in n["properties"].items():
            if k == "tags":  # tags from every trace that reached the node
                tags = props.setdefault("tags", [])
                tags.extend([t for t in v if t not in tags])
            else:
                props.setdefault(k, v)
        if item not in props["case_items"]:
            props["case_items"].append(item)

    def edge(self, e: Mapping[str, Any], item: str) -> None:
        key = (e["id"], e["source"], e["target"])
        have = self.edges.get(key)
        if have is None:
            # An output reached by a forward and by a backward trace is two edges (opposite
            # sides of one transaction) with one id: the later one is told apart.
            eid = (e["id"] if e["id"] not in self.edge_ids
                   else f"{e['id']}|{e['source']}|{e['target']}")
            self.edge_ids.add(eid)
            have = self.edges[key] = {**e, "id": eid,
                                      "properties": {**e["properties"], "case_items": []}}
        if item not in have["properties"]["case_items"]:
            have["properties"]["case_items"].append(item)


def case_graph(items: Sequence[Row], runs: Mapping[str, TraceRun]) -> VisGraph:
    """A case's graph in the visualiser form: its addresses and transactions as nodes, and
    the graphs of its traces (`runs`, by item id) merged. A node or edge reached by several
    items appears once; `properties.case_items` names the items it comes from."""
    m = _Merged()
    for it in items:
        if it["kind"] in ("address", "transaction"):
            m.node({"id": it["ref"], "kind": it["kind"], "label": it["ref"],
                    "properties": {}}, it["id"])
        elif it["kind"] == "trace":
            g = runs[it["id"]].graph
            for n in g["nodes"]:
                m.node(n, it["id"])
            for e in g["edges"]:
                m.edge(e, it["id"])
    return {"nodes": sorted(m.nodes.values(), key=lambda n: str(n["id"])),
            "edges": list(m.edges.values())}


# --- I/O: the store --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NewItems:
    """Checked input of one `add` call."""

    addresses: tuple[str, ...] = ()
    transactions: tuple[str, ...] = ()
    note: str | None = None
    trace: TraceRequest | None = None

    @classmethod
    def check(cls, addresses: Sequence[str] = (), transactions: Sequence[str] = (),
              note: str | None = None, trace: TraceRequest | None = None) -> NewItems:
        for name, refs in (("addresses", addresses), ("transactions", transactions)):
            if len(refs) > MAX_REFS:  # before decoding them all
                raise LimitError(f"{name}: at most {MAX_REFS} per call, not {len(refs)}")
        addrs = tuple(dict.fromkeys(check_address(a) for a in addresses))
        txids = tuple(dict.fromkeys(check_txid(t) for t in transactions))
        text = None if note is None else check_text("note", note, limit=MAX_TEXT,
                                                     required=True)
        if not (addrs or txids or text or trace):
            raise ParameterError("nothing to add: give addresses, transactions, a note or "
                                 "a trace")
        return cls(addrs, txids, text, trace)


class CaseStore:
    """Cases in Neo4j through the stored queries `cypher/case/*`."""

    def __init__(self, graph: AsyncGraph) -> None:
        self.graph = graph

    async def create(self, who: Principal, name: str, description: str = "") -> Row:
        params = {"id": new_id(), "at": now(), "by": who.name, "key_id": who.key_id,
                  "name": check_text("name", name, limit=MAX_NAME, required=True),
                  "description": check_text("description", description, limit=MAX_TEXT,
                                            required=False)}

        async def work(tx: AsyncManagedTransaction) -> Row:
            await self.graph.run_in(tx, "case/create", params)
            return await self._get(tx, params["id"])

        return await self.graph.write(work, "case/create")

    async def get(self, case_id: str) -> Row:
        """The case, or NotFound."""
        rows = await self.graph.read("case/get", {"id": case_id})
        if not rows:
            raise NotFound(f"no case {case_id!r}")
        return rows[0]

    async def _get(self, tx: AsyncManagedTransaction, case_id: str) -> Row:
        rows = await self.graph.run_in(tx, "case/get", {"id": case_id})
        if not rows:
            raise NotFound(f"no case {case_id!r}")
        return rows[0]

    async def page(self, skip: int, limit: int) -> list[Row]:
        """Cases, oldest first."""
        return await self.graph.read("case/list", {"skip": skip, "limit": limit})

    async def update(self, case_id: str, name: str | None, description: str | None) -> Row:
        params = {"id": case_id, "at": now(),
                  "name": None if name is None else check_text("name", name, limit=MAX_NAME,
                                                               required=True),
                  "description": None if description is None else check_text(
                      "description", description, limit=MAX_TEXT, required=False)}

        async def work(tx: AsyncManagedTransaction) -> Row:
            if not await self.graph.run_in(tx, "case/update", params):
                raise NotFound(f"no case {case_id!r}")
            return await self._get(tx, case_id)

        return await self.graph.write(work, "case/update")

    async def delete(self, case_id: str) -> int:
        """Delete a case; the number of items it had (removed ones included)."""

        async def work(tx: AsyncManagedTransaction) -> int:
            rows = await self.graph.run_in(tx, "case/delete", {"id": case_id})
            if not rows:
                raise NotFound(f"no case {case_id!r}")
            return int(rows[0]["deleted_items"])

        return await self.graph.write(work, "case/delete")

    async def add(self, who: Principal, case_id: str, new: NewItems) -> list[Row]:
        """Add checked items; a trace is run first (its digest and time are saved with it).
        All or nothing: NotFound (no case) or LimitError (the case is full) write nothing."""
        rows: list[dict[str, Any]] = []

        def item(kind: ItemKind, ref: str | None, **more: Any) -> None:
            rows.append({"id": new_id(), "pos": len(rows), "kind": kind, "ref": ref,
                         "params": None, "text": None, "digest": None, "run_at": None,
                         "row_budget": None, **more})

        for a in new.addresses:
            item("address", a)
        for t in new.transactions:
            item("transaction", t)
        if new.trace is not None:
            await self.get(case_id)  # no trace run for a case that is not there
            run = await run_trace(self.graph, new.trace)
            item("trace", new.trace.ref, params=new.trace.to_json(), digest=run.digest,
                 run_at=run.ran_at, row_budget=new.trace.row_budget)
        if new.note is not None:
            item("note", None, text=new.note)
        budget = sum(r["row_budget"] or 0 for r in rows)
        params = {"case_id": case_id, "items": rows, "by": who.name, "key_id": who.key_id,
                  "at": now()}

        async def work(tx: AsyncManagedTransaction) -> list[Row]:
            case = await self._get(tx, case_id)
            if case["item_count"] + len(rows) > MAX_CASE_ITEMS:
                raise LimitError(f"a case holds at most {MAX_CASE_ITEMS} items; this one has "
                                 f"{case['item_count']}")
            if case["row_budget"] + budget > MAX_CASE_ROWS:
                raise LimitError(
                    f"the traces of a case may ask for at most {MAX_CASE_ROWS} rows in all "
                    f"(max_rows; k * max_hops for paths); this case's ask for "
                    f"{case['row_budget']} and the new trace for {budget}")
            return await self.graph.run_in(tx, "case/add_items", params)

        return await self.graph.write(work, "case/add_items")

    async def remove(self, who: Principal, case_id: str, item_ids: Sequence[str]) -> list[str]:
        """Mark items removed (they are kept, see case/remove_items). NotFound, with nothing
        written, if the case is not there or any id is not one of its live items."""
        ids = list(dict.fromkeys(item_ids))
        if not ids:
            raise ParameterError("item_ids: give at least one item")
        params = {"case_id": case_id, "item_ids": ids, "by": who.name, "key_id": who.key_id,
                  "at": now()}

        async def work(tx: AsyncManagedTransaction) -> list[str]:
            await self._get(tx, case_id)
            done = [r["id"] for r in await self.graph.run_in(tx, "case/remove_items", params)]
            missing = sorted(set(ids) - set(done))
            if missing:
                raise NotFound(f"not a live item of case {case_id!r}: {', '.join(missing)}")
            return done

        return await self.graph.write(work, "case/remove_items")

    async def items(self, case_id: str, skip: int = 0, limit: int = MAX_CASE_ITEMS,
                    include_removed: bool = False) -> list[Row]:
        return await self.graph.read("case/items", {
            "case_id": case_id, "skip": skip, "limit": limit,
            "include_removed": include_removed})

    async def rerun(self, params: str) -> TraceRun:
        """Re-run a saved trace item's request (its `params`) as it was saved."""
        return await run_trace(self.graph, TraceRequest.from_json(params))

    async def graph_of(self, case_id: str) -> tuple[Row, list[Row], dict[str, TraceRun]]:
        """A case, its live items and a fresh run of each of its traces (NotFound if the
        case is not there); `case_graph(items, runs)` is its graph."""
        case = await self.get(case_id)
        items = await self.items(case_id)
        runs = {it["id"]: await self.rerun(it["params"]) for it in items if it["kind"] == "trace"}
        return case, items, runs

    async def record_export(self, who: Principal | None, case_id: str, fmt: str,
                            content: bytes, at: str) -> None:
        """Record an export of a case with the SHA-256 of the bytes handed out."""
        rows = await self.graph.write(lambda tx: self.graph.run_in(tx, "case/record_export", {
            "case_id": case_id, "format": fmt, "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content), "by": who.name if who else None,
            "key_id": who.key_id if who else None, "at": at}), "case/record_export")
        if not rows:
            raise NotFound(f"no case {case_id!r}")

    async def exports(self, case_id: str, skip: int, limit: int) -> list[Row]:
        return await self.graph.read("case/exports", {"case_id": case_id, "skip": skip,
                                                      "limit": limit})
