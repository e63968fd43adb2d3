"""Follow the money: breadth-first traces over outputs, hop by hop, every hop bounded.

Why Python around the stored queries: a trace needs a per-transaction fan-out limit, a value
threshold that stops expansion (not only reporting), stop categories and a row budget, with
the depth as a parameter; Cypher takes no parameter for a path's length, and APOC's expander
has neither property filters nor per-node limits. So `trace/forward` and `trace/backward` are
one hop each (bounded by the frontier and max_fanout), and this module repeats them, keeping
each output once, at the hop it was first reached (the shortest trail to it).

In a UTXO chain value moves output -> spending transaction -> outputs, so every row is an
exact output value: the output reached at that hop. Nothing is estimated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from analysis.steps import Steps, check_limit, run
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph

Direction = Literal["forward", "backward"]

MAX_HOPS = 20
"""The largest max_hops accepted: beyond it a breadth-first trail of a busy chain is the whole
chain, and no visualiser can show it."""
MAX_FANOUT = 10_000
MAX_ROWS = 100_000
MAX_START_OUTPUTS = 10_000
FRONTIER_CHUNK = 1_000
"""Frontier outputs per stored-query call: small enough that a trace from a super node stops
reading soon after its row budget is spent."""

_TXID = re.compile(r"^[0-9a-fA-F]{64}$")
_OUTPUT = re.compile(r"^([0-9a-fA-F]{64}):(\d{1,10})$")


@dataclass(frozen=True, slots=True)
class TraceLimits:
    max_hops: int = 6
    min_value: int = 0
    max_fanout: int = 100
    max_rows: int = 1_000
    stop_at_categories: tuple[str, ...] = ()
    max_start: int = 1_000
    """Start outputs followed at most, the largest first (an exchange's address has millions)."""

    def __post_init__(self) -> None:
        check_limit("max_start", self.max_start, MAX_START_OUTPUTS)
        check_limit("max_hops", self.max_hops, MAX_HOPS)
        if self.min_value < 0:
            raise ParameterError(f"min_value must not be negative, not {self.min_value}")
        check_limit("max_fanout", self.max_fanout, MAX_FANOUT)
        check_limit("max_rows", self.max_rows, MAX_ROWS)


@dataclass(slots=True)
class Trace:
    """A trail: rows (one per output reached, at its first hop) and why it may be incomplete."""

    start: str
    direction: Direction
    start_rows: list[dict[str, Any]]
    """The start's outputs followed (output, address, value), the largest first."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)

    @property
    def start_outputs(self) -> list[str]:
        return [r["output"] for r in self.start_rows]

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "direction": self.direction,
                "start_outputs": len(self.start_outputs), "rows": self.rows,
                "truncated": bool(self.truncated), "truncation": self.truncated}

    def as_graph(self) -> dict[str, Any]:
        """Nodes and edges for a graph visualiser: nodes are addresses (an output without an
        address is its own node), edges carry the transaction, value, height and time."""
        nodes: dict[str, dict[str, Any]] = {}

        def node(address: str | None, output: str, tags: Sequence[Any] = ()) -> str:
            key = address or output
            n = nodes.setdefault(key, {"id": key, "type": "address" if address else "output",
                                       "tags": []})
            for t in tags:
                if t not in n["tags"]:
                    n["tags"].append(t)
            return key

        for o in self.start_rows:
            node(o["address"], o["output"])
        edges = []
        for r in self.rows:
            a = node(r["from_address"], r["from_output"])
            b = node(r["to_address"], r["to_output"], r["to_tags"])
            src, dst = (a, b) if self.direction == "forward" else (b, a)
            edges.append({"source": src, "target": dst, "txid": r["txid"], "value": r["value"],
                          "height": r["height"], "time": r["time"], "hop": r["hop"],
                          "output": r["to_output"]})
        return {"start": self.start, "direction": self.direction,
                "nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges,
                "truncated": bool(self.truncated), "truncation": self.truncated}


def start_kind(start: str) -> str:
    """'output' for 'txid:vout', 'txid' for 64 hex digits, else 'address'."""
    if _OUTPUT.match(start):
        return "output"
    if _TXID.match(start):
        return "txid"
    if not start or len(start) > 100 or not start.isalnum():
        raise ParameterError(f"start {start!r} is neither an address, a txid nor 'txid:vout'")
    return "address"


def _normalise(start: str, kind: str) -> str:
    if kind == "txid":
        return start.lower()
    if kind == "output":
        txid, vout = start.split(":")
        return f"{txid.lower()}:{int(vout)}"
    return start


def _categories(tags: Iterable[Any]) -> set[str]:
    return {t["category"] for t in tags if t and t.get("category")}


def trace(graph: Graph, start: str, direction: Direction,
          limits: TraceLimits | None = None) -> Trace:
    """Breadth-first trail from `start` (an address, a txid or 'txid:vout')."""
    return run(graph, trace_steps(start, direction, limits))


def trace_steps(start: str, direction: Direction,
                limits: TraceLimits | None = None) -> Steps[Trace]:
    """`trace` without I/O (see `Steps`)."""
    limits = limits or TraceLimits()
    kind = start_kind(start)
    start = _normalise(start, kind)
    found = yield ("trace/start", {"start": start, "kind": kind, "limit": limits.max_start})
    if not found:
        raise NotFound(f"nothing to trace from {start!r}: no such {kind} in the graph")
    result = Trace(start, direction, found[:limits.max_start])
    if len(found) > limits.max_start:
        result.truncated.append(
            f"start: only the {limits.max_start} largest outputs of {start} (max_start)")
    stop = set(limits.stop_at_categories)
    seen = set(result.start_outputs)
    frontier = list(result.start_outputs)
    cut_fanout: set[str] = set()
    for hop in range(1, limits.max_hops + 1):
        if not frontier:
            break
        current, frontier = frontier, []
        for i in range(0, len(current), FRONTIER_CHUNK):  # in frontier order: deterministic
            rows = yield (f"trace/{direction}", {
                "outputs": current[i:i + FRONTIER_CHUNK], "min_value": limits.min_value,
                "max_fanout": limits.max_fanout})
            rows.sort(key=lambda r: (r["txid"], r["to_output"], r["from_output"]))
            for r in rows:
                if r["fanout"] > limits.max_fanout:
                    cut_fanout.add(r["txid"])
                if r["to_output"] in seen:
                    continue
                if len(result.rows) >= limits.max_rows:
                    result.truncated.append(f"rows: stopped at max_rows={limits.max_rows}")
                    return _finish(result, cut_fanout, limits)
                seen.add(r["to_output"])
                stopped = bool(stop & _categories(r["to_tags"]))
                result.rows.append({"hop": hop, **r, "stopped": stopped})
                if not stopped:
                    frontier.append(r["to_output"])
    return _finish(result, cut_fanout, limits)


def _finish(result: Trace, cut: set[str], limits: TraceLimits) -> Trace:
    if cut:
        result.truncated.append(
            f"fan-out: {len(cut)} transaction(s) with more than max_fanout={limits.max_fanout} "
            f"{'outputs' if result.direction == 'forward' else 'inputs'} were cut to the "
            f"largest, e.g. {min(cut)}")
    return result


MAX_PATHS = 10
"""cypher/trace/paths.cypher asks for SHORTEST 10 (a literal); k above it is refused."""
MAX_PATH_HOPS = 8
"""cypher/trace/paths.cypher searches at most 8 hops (a literal: on a 1,000,000-transaction
chain a 20-hop search for 10 paths could exhaust the transaction memory)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An address, or a cluster written as 'cluster:<id>'."""

    value: str
    cluster: bool

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        if text.startswith("cluster:"):
            return cls(text.removeprefix("cluster:"), True)
        if start_kind(text) != "address":
            raise ParameterError(f"{text!r}: a path runs between addresses or 'cluster:<id>'")
        return cls(text, False)


def paths(graph: Graph, source: str, target: str, *, max_hops: int = 6, k: int = 3,
          min_value: int = 0, max_fanout: int = 100,
          include_super_nodes: bool = False) -> dict[str, Any]:
    """The k shortest money paths (cypher/trace/paths.cypher), ranked, with a note when super
    nodes were skipped. A cluster id with no Cluster node is a one-address cluster."""
    return run(graph, paths_steps(source, target, max_hops=max_hops, k=k, min_value=min_value,
                                  max_fanout=max_fanout,
                                  include_super_nodes=include_super_nodes))


def paths_steps(source: str, target: str, *, max_hops: int = 6, k: int = 3,
                min_value: int = 0, max_fanout: int = 100,
                include_super_nodes: bool = False) -> Steps[dict[str, Any]]:
    """`paths` without I/O (see `Steps`)."""
    check_limit("max_hops", max_hops, MAX_PATH_HOPS, " for paths")
    check_limit("k", k, MAX_PATHS)
    if min_value < 0:
        raise ParameterError(f"min_value must not be negative, not {min_value}")
    if max_fanout < 1:
        raise ParameterError(f"max_fanout must be at least 1, not {max_fanout}")
    ends = [Endpoint.parse(source), Endpoint.parse(target)]
    for end in ends:  # a cluster id is its smallest address: either way the address exists
        found = yield ("trace/start", {"start": end.value, "kind": "address", "limit": 1})
        if not found:
            what = "cluster" if end.cluster else "address"
            raise NotFound(f"no {what} {end.value!r} in the graph")
    fanout = 2**62 if include_super_nodes else max_fanout
    rows = yield ("trace/paths", {
        "from": ends[0].value, "to": ends[1].value, "from_cluster": ends[0].cluster,
        "to_cluster": ends[1].cluster, "max_hops": max_hops, "k": k, "min_value": min_value,
        "max_fanout": fanout})
    notes = [] if include_super_nodes else [
        f"transactions with more than {max_fanout} inputs or outputs (super nodes) were not "
        "traversed; ask for them with include_super_nodes"]
    return {"from": source, "to": target,
            "paths": [{"rank": i + 1, **r} for i, r in enumerate(rows)], "notes": notes}


def paths_graph(result: dict[str, Any]) -> dict[str, Any]:
    """A `paths` answer for a graph visualiser: nodes (addresses, or outputs without one)
    and edges (one per hop of each path), as `Trace.as_graph` gives them for a trace."""
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for p in result["paths"]:
        keys = [a or o for a, o in zip(p["addresses"], p["outputs"], strict=True)]
        for key, a in zip(keys, p["addresses"], strict=True):
            nodes.setdefault(key, {"id": key, "type": "address" if a else "output"})
        for i, txid in enumerate(p["txids"]):
            edges.append({"source": keys[i], "target": keys[i + 1], "txid": txid,
                          "output": p["outputs"][i + 1], "path": p["rank"], "hop": i + 1})
    return {"from": result["from"], "to": result["to"],
            "nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges,
            "notes": result["notes"]}
