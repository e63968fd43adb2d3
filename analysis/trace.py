"""Follow the money: breadth-first traces over outputs, hop by hop, every hop bounded.

Why Python around the stored queries: a trace needs a per-transaction fan-out limit, a value
threshold that stops expansion (not only reporting), stop categories and a row budget, with
the depth as a parameter; Cypher takes no parameter for a path's length, and APOC's expander
has neither property filters nor per-node limits. So `trace/forward` and `trace/backward` are
one hop each (bounded by the frontier and max_fanout), and this module repeats them, keeping
each output once, at the hop it was first reached (the shortest trail to it).

In a UTXO chain value moves output -> spending transaction -> outputs, so every row is an
exact output value: the output reached at that hop. Nothing is estimated.

On an account chain (Ethereum) a row is a transfer, and the trail is time-respecting: money
that reached an account by a transfer at `seq` is followed only into that account's
transfers at or after `seq` (backward: at or before), so an earlier transfer never continues
a later one. The same stored queries take `chain: 'ethereum'` and a frontier of
(account, seq) items; an account reached again is expanded again only from an earlier seq
(forward; a later one backward) than before, since that is the only way it can lead to
transfers not yet seen; when its earlier expansion was cut, only the transfers between the two
seqs are asked for and merged with it (`_remember`), so a hub reached again and again is not
read whole each time. See analysis.accounts for the asset and the window.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from analysis.accounts import (
    MAX_SEQ,
    ZERO_ADDRESS,
    Chain,
    Window,
    asset_label,
    eth_kind,
    infer_chain,
    is_account,
    min_key,
    parse_asset,
)
from analysis.steps import Steps, check_limit, run
from chaintrail.errors import LimitError, NotFound, ParameterError
from cypher.registry import normal_address
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
SUPER_NODE_OUTPUTS = 10_000
"""A path's end with more outputs than this is searched from the source only (see `paths`)."""
PATH_TRACE_ROWS = 10_000
"""Outputs the forward trace toward such an end may reach."""

_TXID = re.compile(r"^[0-9a-fA-F]{64}$")
_OUTPUT = re.compile(r"^([0-9a-fA-F]{64}):(\d{1,10})$")
ETH_COLUMNS = ("asset", "seq", "kind")
"""Columns the one-hop queries return for Ethereum only (null on Bitcoin, dropped there)."""
ETH_START_COLUMNS = ("asset", "seq", "from_address")
"""The same for trace/start."""


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
    """The start's outputs followed (output, address, value), the largest first. Ethereum:
    the start's transfers (output = transfer id, address = recipient, from_address, asset,
    seq), or the start account alone (output None)."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    chain: Chain = "bitcoin"
    asset: str | None = None
    """Ethereum: the asset followed ('ETH', a token contract; None: every asset)."""
    window: Window = field(default_factory=Window)
    start_tags: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The own tags of the start's addresses (accounts), as rows give `to_tags`: a rows' tags
    are those of where the money went, so without these a sanctioned start would show none
    in `as_graph`."""

    @property
    def start_outputs(self) -> list[str]:
        return [r["output"] for r in self.start_rows]

    def as_dict(self) -> dict[str, Any]:
        d = {"start": self.start, "direction": self.direction,
             "start_outputs": len(self.start_outputs), "rows": self.rows,
             "truncated": bool(self.truncated), "truncation": self.truncated}
        if self.chain == "ethereum":  # Bitcoin's answer stays as it was (cases digest it)
            d = {"chain": self.chain, "asset": asset_label(self.asset),
                 "window": self.window.as_dict(), **d}
        return d

    def as_graph(self) -> dict[str, Any]:
        """Nodes and edges for a graph visualiser: nodes are addresses (an output without an
        address is its own node), edges carry the transaction, value, height and time.
        Ethereum: nodes are accounts, edges transfers (the start's own transfers at hop 0)."""
        if self.chain == "ethereum":
            return self._eth_graph()
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
            node(o["address"], o["output"], self.start_tags.get(o["address"] or "", ()))
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

    def _eth_graph(self) -> dict[str, Any]:
        nodes: dict[str, dict[str, Any]] = {}

        def node(address: str, tags: Sequence[Any] = ()) -> str:
            n = nodes.setdefault(address, {"id": address, "type": "account", "tags": []})
            for t in tags:
                if t not in n["tags"]:
                    n["tags"].append(t)
            return address

        edges = []
        for o in self.start_rows:
            node(o["address"], self.start_tags.get(o["address"], ()))
            if o["output"] is not None:  # a start transfer: drawn as hop 0
                edges.append(_eth_edge(node(o["from_address"]), o["address"], o["output"],
                                       o, 0))
        for r in self.rows:
            a = node(r["from_address"])
            b = node(r["to_address"], r["to_tags"])
            src, dst = (a, b) if self.direction == "forward" else (b, a)
            edges.append(_eth_edge(src, dst, r["to_output"], r, r["hop"]))
        return {"start": self.start, "direction": self.direction, "chain": self.chain,
                "asset": asset_label(self.asset),
                "nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges,
                "truncated": bool(self.truncated), "truncation": self.truncated}


def _eth_edge(src: str, dst: str, transfer: str, r: dict[str, Any], hop: int) -> dict[str, Any]:
    txid = r.get("txid") or (transfer.split(":")[0] if transfer.startswith("0x") else None)
    return {"source": src, "target": dst, "txid": txid, "value": r["value"],
            "height": r.get("height"), "time": r.get("time"), "hop": hop, "output": transfer,
            "asset": r["asset"], "kind": r.get("kind")}


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
    return normal_address(start)


def _categories(tags: Iterable[Any]) -> set[str]:
    return {t["category"] for t in tags if t and t.get("category")}


def _start_tags(start_rows: Sequence[Mapping[str, Any]],
                chain: Chain) -> Steps[dict[str, list[dict[str, Any]]]]:
    """The own tags of the start rows' addresses, as `to_tags` lists them (by category, then
    label; label, category and source)."""
    addresses = sorted({r["address"] for r in start_rows if r["address"]})
    if not addresses:
        return {}
    rows = yield ("batch/tags", {"addresses": addresses, "chain": chain})
    return {r["address"]: sorted(
        ({"label": g["label"], "category": g["category"], "source": g["source"]}
         for g in r["tags"]), key=lambda g: (g["category"] or "", g["label"] or ""))
        for r in rows}


def trace(graph: Graph, start: str, direction: Direction,
          limits: TraceLimits | None = None, *, chain: str | None = None,
          asset: str | None = None, window: Window | None = None) -> Trace:
    """Breadth-first trail from `start` (an address, a txid or 'txid:vout'; on Ethereum an
    account, a transaction hash or a transfer id). The chain is `chain`, else Ethereum for a
    0x start; `asset` and `window` apply to Ethereum (see `eth_trace_steps`)."""
    return run(graph, trace_steps(start, direction, limits, chain=chain, asset=asset,
                                  window=window))


def trace_steps(start: str, direction: Direction, limits: TraceLimits | None = None, *,
                chain: str | None = None, asset: str | None = None,
                window: Window | None = None,
                enough: Callable[[Trace], bool] | None = None) -> Steps[Trace]:
    """`trace` without I/O (see `Steps`). Bitcoin: `enough`, asked after each hop, ends the
    trace early (the paths toward a super node stop once they have theirs)."""
    limits = limits or TraceLimits()
    if infer_chain(start, chain) == "ethereum":
        return (yield from eth_trace_steps(start, direction, limits, asset=asset,
                                           window=window))
    _bitcoin_only(asset, window)
    _int64(limits.min_value)
    kind = start_kind(start)
    start = _normalise(start, kind)
    found = yield ("trace/start", {"start": start, "kind": kind, "limit": limits.max_start})
    if not found:
        raise NotFound(f"nothing to trace from {start!r}: no such {kind} in the graph")
    result = Trace(start, direction,
                   [_bitcoin(r, ETH_START_COLUMNS) for r in found[:limits.max_start]])
    if len(found) > limits.max_start:
        result.truncated.append(
            f"start: only the {limits.max_start} largest outputs of {start} (max_start)")
    result.start_tags = yield from _start_tags(result.start_rows, "bitcoin")
    stop = set(limits.stop_at_categories)
    seen = set(result.start_outputs)
    frontier = list(result.start_outputs)
    cut_fanout: set[str] = set()
    for hop in range(1, limits.max_hops + 1):
        if not frontier:
            break
        current, frontier = frontier, []
        this_hop: dict[str, dict[str, Any]] = {}
        for i in range(0, len(current), FRONTIER_CHUNK):  # in frontier order: deterministic
            rows = yield (f"trace/{direction}", {
                "outputs": current[i:i + FRONTIER_CHUNK], "min_value": limits.min_value,
                "max_fanout": limits.max_fanout})
            rows.sort(key=lambda r: (r["txid"], r["to_output"], r["from_output"]))
            for r in rows:
                if r["fanout"] > limits.max_fanout:
                    cut_fanout.add(r["txid"])
                if r["to_output"] in seen:
                    first = this_hop.get(r["to_output"])
                    if first is not None and r["from_output"] < first["from_output"]:
                        # reached again at this hop from a later chunk of the frontier: the
                        # smallest id it was reached from is the one kept, whatever the chunk
                        first["from_output"] = r["from_output"]
                        first["from_address"] = r["from_address"]
                    continue
                if len(result.rows) >= limits.max_rows:
                    result.truncated.append(f"rows: stopped at max_rows={limits.max_rows}")
                    return _finish(result, cut_fanout, limits)
                seen.add(r["to_output"])
                stopped = bool(stop & _categories(r["to_tags"]))
                row = {"hop": hop, **_bitcoin(r), "stopped": stopped}
                result.rows.append(row)
                this_hop[r["to_output"]] = row
                if not stopped:
                    frontier.append(r["to_output"])
        if enough is not None and enough(result):
            break
    return _finish(result, cut_fanout, limits)


def _bitcoin(r: dict[str, Any], drop: tuple[str, ...] = ETH_COLUMNS) -> dict[str, Any]:
    """A Bitcoin row without the Ethereum-only columns (null there): the answer Bitcoin
    callers always had."""
    return {k: v for k, v in r.items() if k not in drop}


def _int64(min_value: int) -> None:
    """Satoshi amounts are Neo4j integers: a threshold beyond them is refused, not sent."""
    if min_value > 2**63 - 1:
        raise LimitError(f"min_value must be at most {2**63 - 1} satoshi, not {min_value}")


def _bitcoin_only(asset: str | None, window: Window | None) -> None:
    if asset is not None or (window is not None and not window.empty):
        raise ParameterError("asset and the block or time window apply to Ethereum only")


def eth_trace_steps(start: str, direction: Direction, limits: TraceLimits, *,
                    asset: str | None = None, window: Window | None = None) -> Steps[Trace]:
    """A time-respecting trail on Ethereum (`trace` for chain 'ethereum').

    `start`: an account (the trail starts from it: forward, its transfers out from the
    window's start; backward, its transfers in up to the window's end), a transaction hash
    (its transfers of the asset) or one transfer id. `asset`: 'ETH' (the default; for a
    transfer id, its own asset), a token contract address, or '*' for every asset (a hop may
    then change asset, as a swap does). Each row is a transfer, at the first hop that reaches
    it; fees are never followed, and the zero address (mints, burns, issuance) ends a trail.
    """
    window = window or Window()
    kind, key = eth_kind(start)
    wanted = parse_asset(asset)
    found = yield ("trace/start", {
        "chain": "ethereum", "start": key, "kind": kind, "limit": limits.max_start,
        "asset": None if kind == "output" and asset is None else wanted, **window.params()})
    if not found:
        what = {"address": "account", "txid": "transaction with transfers",
                "output": "transfer"}[kind]
        raise NotFound(f"nothing to trace from {key!r}: no such {what} in the graph"
                       + ("" if kind == "address" else
                          f" (asset {asset_label(wanted)}, within the window)"))
    if kind == "output" and asset is None:
        wanted = found[0]["asset"]
    threshold = min_key(limits.min_value, wanted)
    result = Trace(key, direction, found[:limits.max_start], chain="ethereum", asset=wanted,
                   window=window)
    if len(found) > limits.max_start:
        result.truncated.append(
            f"start: only the {limits.max_start} largest transfers of {key} (max_start)")
    result.start_tags = yield from _start_tags(result.start_rows, "ethereum")
    forward = direction == "forward"
    frontier: list[dict[str, Any]] = []
    for o in result.start_rows:
        if o["output"] is None:  # an account: from the window's start (end, backward)
            frontier.append({"account": o["address"], "via": None,
                             "seq": (window.min_seq or 0) if forward else
                             (window.max_seq if window.max_seq is not None else MAX_SEQ),
                             "since" if forward else "until":
                             window.since if forward else window.until})
        else:
            frontier.append({"account": o["address"] if forward else o["from_address"],
                             "seq": o["seq"], "via": o["output"]})
    window_end = {"max_seq": window.max_seq, "until": window.until} if forward else {
        "min_seq": window.min_seq, "since": window.since}
    stop = set(limits.stop_at_categories)
    seen = {o["output"] for o in result.start_rows if o["output"] is not None}
    expanded: dict[str, int] = {}
    known: dict[str, _Expansion] = {}
    cut_fanout: set[str] = set()
    for hop in range(1, limits.max_hops + 1):
        current = _expand(frontier, expanded, forward)
        frontier = []
        if not current:
            break
        for i in range(0, len(current), FRONTIER_CHUNK):
            chunk = current[i:i + FRONTIER_CHUNK]
            rows = yield (f"trace/{direction}", {
                "chain": "ethereum", "frontier": [_resume(it, known, forward) for it in chunk],
                "asset": wanted, "min_key": threshold, "max_fanout": limits.max_fanout,
                **window_end})
            rows = _remember(rows, chunk, known, forward, limits.max_fanout)
            rows.sort(key=lambda r: (r["seq"], r["to_output"], r["from_output"] or ""))
            for r in rows:
                if r["fanout"] > limits.max_fanout:
                    cut_fanout.add(r["from_address"])
                if r["to_output"] in seen:
                    continue
                if len(result.rows) >= limits.max_rows:
                    result.truncated.append(f"rows: stopped at max_rows={limits.max_rows}")
                    return _finish(result, cut_fanout, limits)
                seen.add(r["to_output"])
                stopped = bool(stop & _categories(r["to_tags"]))
                result.rows.append({"hop": hop, **r, "stopped": stopped})
                if not stopped:
                    frontier.append({"account": r["to_address"], "seq": r["seq"],
                                     "via": r["to_output"]})
    return _finish(result, cut_fanout, limits)


def _expand(items: list[dict[str, Any]], expanded: dict[str, int],
            forward: bool) -> list[dict[str, Any]]:
    """The frontier items worth a query: per account the earliest arrival (forward; the
    latest departure backward), and only when it is earlier (later) than the seq the account
    was expanded from before: anything a later arrival leads to, an earlier one led to
    already, at a smaller hop. The zero address is never expanded."""
    def better(a: int, b: int) -> bool:
        return a < b if forward else a > b

    best: dict[str, dict[str, Any]] = {}
    for it in items:
        a = it["account"]
        if a == ZERO_ADDRESS:
            continue
        if a not in best or better(it["seq"], best[a]["seq"]):
            best[a] = it
    out = [it for a, it in best.items() if a not in expanded or better(it["seq"], expanded[a])]
    for it in out:
        expanded[it["account"]] = it["seq"]
    return out


@dataclass(frozen=True, slots=True)
class _Expansion:
    """An account's last expansion that was cut (more than max_fanout transfers of an asset):
    the seq it was expanded from and, per asset, the transfer count in the window (`fanout`)
    and the rows the stored query kept (the largest)."""

    seq: int
    assets: dict[str, tuple[int, list[dict[str, Any]]]]


def _bounded(item: dict[str, Any]) -> bool:
    """A start item bounded in time (since/until): always asked whole, never remembered."""
    return item.get("since") is not None or item.get("until") is not None


def _resume(item: dict[str, Any], known: dict[str, _Expansion],
            forward: bool) -> dict[str, Any]:
    """The frontier item as sent: an account whose last expansion (from a later seq forward,
    an earlier one backward) is remembered is asked only for the transfers between the two
    seqs (`before`, backward `after`: that expansion's seq); `_remember` has the rest."""
    last = known.get(item["account"])
    if last is None or _bounded(item):
        return item
    return {**item, "before" if forward else "after": last.seq}


def _remember(rows: list[dict[str, Any]], chunk: list[dict[str, Any]],
              known: dict[str, _Expansion], forward: bool,
              max_fanout: int) -> list[dict[str, Any]]:
    """The rows the stored query gives for `chunk` asked whole: a resumed item's answer
    (`_resume`) merged with its account's last expansion, per asset the counts added and the
    largest max_fanout of both row sets kept in the query's own order (value_key, i.e. the
    amount, descending, then seq (backward: descending), then transfer id), from_output the
    item's `via`. So a hub reached again and again at earlier seqs (later, backward) is not
    read whole each time. Only cut expansions are remembered (the costly ones; a few rows)."""
    by_account: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_account.setdefault(r["from_address"], []).append(r)
    sign = 1 if forward else -1

    def order(r: dict[str, Any]) -> tuple[int, int, str]:
        return (-int(r["value"]), sign * r["seq"], r["to_output"])

    out: list[dict[str, Any]] = []
    for item in chunk:
        account = item["account"]
        assets: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        for r in by_account.get(account, []):
            assets.setdefault(r["asset"], (r["fanout"], []))[1].append(r)
        last = known.pop(account, None)
        if last is not None and not _bounded(item):
            for asset, (count, old) in last.assets.items():
                new_count, new = assets.get(asset, (0, []))
                kept = sorted([*new, *({**r, "from_output": item["via"]} for r in old)],
                              key=order)[:max_fanout]
                fanout = count + new_count
                assets[asset] = (fanout, [{**r, "fanout": fanout} for r in kept])
        if not _bounded(item) and any(n > max_fanout for n, _ in assets.values()):
            known[account] = _Expansion(item["seq"], assets)
        for _, kept in assets.values():
            out.extend(kept)
    return out


def _finish(result: Trace, cut: set[str], limits: TraceLimits) -> Trace:
    if cut and result.chain == "ethereum":
        result.truncated.append(
            f"fan-out: {len(cut)} account(s) with more than max_fanout={limits.max_fanout} "
            f"transfers {'out' if result.direction == 'forward' else 'in'} (of one asset, in "
            f"the window) were cut to the largest, e.g. {min(cut)}")
    elif cut:
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
            return cls(normal_address(text.removeprefix("cluster:")), True)
        if start_kind(text) != "address":
            raise ParameterError(f"{text!r}: a path runs between addresses or 'cluster:<id>'")
        return cls(normal_address(text), False)


def paid_outputs(key: str, cluster: bool) -> Steps[int]:
    """How many outputs pay an address, or the addresses of a cluster (`trace/end_outputs`);
    NotFound when none does: an address is in the graph when an output pays it (one known
    only from a tag is not), and a cluster id is its smallest address."""
    (found,) = yield ("trace/end_outputs", {"end": key, "cluster": cluster})
    if not found["outputs"]:
        if cluster:
            raise NotFound(f"no cluster with id {key!r} (a cluster's id is its smallest "
                           "address; cluster/of_address gives it)")
        raise NotFound(f"no address {key!r} in the graph")
    return int(found["outputs"])


def paths(graph: Graph, source: str, target: str, *, max_hops: int = 6, k: int = 3,
          min_value: int = 0, max_fanout: int = 100, include_super_nodes: bool = False,
          chain: str | None = None, asset: str | None = None,
          window: Window | None = None,
          super_node_outputs: int = SUPER_NODE_OUTPUTS) -> dict[str, Any]:
    """The k shortest money paths (cypher/trace/paths.cypher), ranked, with a note when super
    nodes were skipped. A cluster id with no Cluster node is a one-address cluster. On
    Ethereum (`chain`, or 0x ends) between two accounts, time-respecting, of one asset
    ('ETH' by default) or any ('*'), within the window.

    Bitcoin, to an end with more than `super_node_outputs` outputs from an address: the
    shortest-path search would expand every output of that end (measured: 171,249 outputs,
    still running after 60 s), so the paths are those a forward trace from the source reaches
    instead (breadth first, so the fewest hops first; at most PATH_TRACE_ROWS outputs), and a
    note says so."""
    return run(graph, paths_steps(source, target, max_hops=max_hops, k=k, min_value=min_value,
                                  max_fanout=max_fanout,
                                  include_super_nodes=include_super_nodes, chain=chain,
                                  asset=asset, window=window,
                                  super_node_outputs=super_node_outputs))


def paths_steps(source: str, target: str, *, max_hops: int = 6, k: int = 3,
                min_value: int = 0, max_fanout: int = 100,
                include_super_nodes: bool = False, chain: str | None = None,
                asset: str | None = None,
                window: Window | None = None,
                super_node_outputs: int = SUPER_NODE_OUTPUTS) -> Steps[dict[str, Any]]:
    """`paths` without I/O (see `Steps`)."""
    check_limit("max_hops", max_hops, MAX_PATH_HOPS, " for paths")
    check_limit("k", k, MAX_PATHS)
    if min_value < 0:
        raise ParameterError(f"min_value must not be negative, not {min_value}")
    if max_fanout < 1:
        raise ParameterError(f"max_fanout must be at least 1, not {max_fanout}")
    fanout = 2**62 if include_super_nodes else max_fanout
    if infer_chain(source, chain) == "ethereum":
        return (yield from _eth_paths_steps(source, target, max_hops, k, min_value, fanout,
                                            max_fanout, asset, window or Window()))
    _bitcoin_only(asset, window)
    _int64(min_value)
    ends = [Endpoint.parse(source), Endpoint.parse(target)]
    degrees = []
    for end in ends:
        degrees.append((yield from paid_outputs(end.value, end.cluster)))
    notes = [] if include_super_nodes else [
        f"paths do not pass through transactions with more than {max_fanout} inputs or "
        "outputs (super nodes), whether or not one was met; ask for them with "
        "include_super_nodes"]
    if ends[0].cluster or ends[1].cluster:
        same = yield from _one_entity(ends)
        if same is not None:
            return {"from": source, "to": target, "paths": [], "notes": [
                f"{source} and {target} are one entity (cluster {same}): a path would start "
                "where it ends; ask between two of its addresses instead", *notes]}
    if degrees[1] > super_node_outputs and not ends[0].cluster:
        return (yield from _paths_by_trace(source, target, ends, degrees[1], max_hops, k,
                                           min_value, fanout, notes))
    rows = yield ("trace/paths", {
        "from": ends[0].value, "to": ends[1].value, "from_cluster": ends[0].cluster,
        "to_cluster": ends[1].cluster, "max_hops": max_hops, "k": k, "min_value": min_value,
        "max_fanout": fanout})
    return {"from": source, "to": target,
            "paths": [{"rank": i + 1, **_bitcoin(r, ("asset",))} for i, r in enumerate(rows)],
            "notes": notes}


def _one_entity(ends: list[Endpoint]) -> Steps[str | None]:
    """The cluster id both ends are in (an address end inside the cluster end, or the same
    cluster twice), else None."""
    ids = {e.value for e in ends if e.cluster}
    addresses = sorted(e.value for e in ends if not e.cluster)
    if addresses:
        rows = yield ("batch/clusters", {"addresses": addresses})
        found = {r["address"]: r["cluster_id"] for r in rows}
        ids |= {found.get(a) or a for a in addresses}
    return ids.pop() if len(ids) == 1 else None


def _paths_by_trace(source: str, target_text: str, ends: list[Endpoint], outputs: int,
                    max_hops: int, k: int, min_value: int, fanout: int,
                    notes: list[str]) -> Steps[dict[str, Any]]:
    """Paths to a super node end: a forward trace from the source (an address), then the
    chain of first reaches back from each output it reached at the end. Breadth first, so
    the paths with the fewest transactions come first; ranked as trace/paths ranks them."""
    limits = TraceLimits(max_hops=max_hops, min_value=min_value,
                         max_fanout=min(fanout, MAX_FANOUT), max_rows=PATH_TRACE_ROWS)
    target = ends[1]

    def enough(t: Trace) -> bool:  # an address end: k reached, so no shorter path is missing
        return not target.cluster and sum(r["to_address"] == target.value for r in t.rows) >= k

    t = yield from trace_steps(ends[0].value, "forward", limits, enough=enough)
    if target.cluster:
        reached = sorted({r["to_address"] for r in t.rows if r["to_address"]})
        found = (yield ("batch/clusters", {"addresses": reached})) if reached else []
        at_end = {r["address"] for r in found if r["cluster_id"] == target.value}
        at_end.add(target.value)  # a cluster id is its smallest address
    else:
        at_end = {target.value}
    start = {s["output"]: s for s in t.start_rows}
    via = {r["to_output"]: r for r in t.rows}
    found_paths = []
    for r in t.rows:
        if r["to_address"] not in at_end:
            continue
        chain = [r]
        while chain[-1]["from_output"] in via:
            chain.append(via[chain[-1]["from_output"]])
        chain.reverse()
        if any(x["fanout"] > fanout for x in chain):  # as trace/paths: not traversed
            continue
        if any(x["to_address"] == ends[0].value for x in chain) or any(
                x["to_address"] in at_end for x in chain[:-1]):
            continue  # as trace/paths: never back through either end
        first = start[chain[0]["from_output"]]
        if first["value"] < min_value:
            continue
        found_paths.append({
            "hops": len(chain), "txids": [x["txid"] for x in chain],
            "addresses": [first["address"]] + [x["to_address"] for x in chain],
            "outputs": [first["output"]] + [x["to_output"] for x in chain],
            "bottleneck_value": min([first["value"], *(x["value"] for x in chain)]),
            "values": [x["value"] for x in chain], "times": [x["time"] for x in chain]})
    found_paths.sort(key=lambda p: (p["hops"], p["txids"], p["outputs"][0]))
    what = "cluster" if target.cluster else "address"
    notes = [f"the {what} {target.value} has {outputs} outputs (a super node): a shortest-path "
             "search would expand all of them, so these are the paths a forward trace from "
             f"{source} reached (breadth first, at most {PATH_TRACE_ROWS} outputs); a path "
             "beyond that budget, or through a transaction with more inputs than the fan-out "
             "bound, is not searched", *notes, *t.truncated]
    return {"from": source, "to": target_text,
            "paths": [{"rank": i + 1, **p} for i, p in enumerate(found_paths[:k])],
            "notes": notes}


def _eth_paths_steps(source: str, target: str, max_hops: int, k: int, min_value: int,
                     fanout: int, max_fanout: int, asset: str | None,
                     window: Window) -> Steps[dict[str, Any]]:
    ends = []
    for end in (source, target):
        if not is_account(end):
            raise ParameterError(f"{end!r}: a path on Ethereum runs between accounts (0x and "
                                 "40 hex digits); there are no clusters")
        ends.append(end.lower())
        found = yield ("trace/start", {"chain": "ethereum", "start": end.lower(),
                                       "kind": "address", "limit": 1})
        if not found:
            raise NotFound(f"no account {end.lower()!r} in the graph")
    wanted = parse_asset(asset)
    rows = yield ("trace/paths", {
        "chain": "ethereum", "from": ends[0], "to": ends[1], "max_hops": max_hops, "k": k,
        "asset": wanted, "min_key": min_key(min_value, wanted),
        "max_fanout": min(fanout, 2**31 - 1),  # compared with a degree: a 32-bit integer
        **window.params()})
    notes = ["time-respecting: each transfer at or after the one before it (the same "
             "transaction allowed); fees are not followed, nor money through the zero address"]
    if fanout == max_fanout:
        notes.append(f"paths do not pass through accounts with more than {max_fanout} "
                     "transfers out or in (super nodes: exchanges, routers), whether or not one "
                     "was met; ask for them with include_super_nodes")
    return {"from": ends[0], "to": ends[1], "chain": "ethereum", "asset": asset_label(wanted),
            "window": window.as_dict(),
            "paths": [{"rank": i + 1, **r} for i, r in enumerate(rows)], "notes": notes}


def paths_graph(result: dict[str, Any]) -> dict[str, Any]:
    """A `paths` answer for a graph visualiser: nodes (addresses, or outputs without one)
    and edges (one per hop of each path), as `Trace.as_graph` gives them for a trace.
    Ethereum: accounts and transfers (edge output = the transfer id)."""
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    eth = result.get("chain") == "ethereum"
    for p in result["paths"]:
        if eth:
            keys = list(p["addresses"])
            for key in keys:
                nodes.setdefault(key, {"id": key, "type": "account"})
            for i, txid in enumerate(p["txids"]):
                edges.append({"source": keys[i], "target": keys[i + 1], "txid": txid,
                              "output": p["outputs"][i], "path": p["rank"], "hop": i + 1,
                              "asset": p["asset"], "value": p["values"][i],
                              "time": p["times"][i]})
            continue
        keys = [a or o for a, o in zip(p["addresses"], p["outputs"], strict=True)]
        for key, a in zip(keys, p["addresses"], strict=True):
            nodes.setdefault(key, {"id": key, "type": "address" if a else "output"})
        for i, txid in enumerate(p["txids"]):
            edges.append({"source": keys[i], "target": keys[i + 1], "txid": txid,
                          "output": p["outputs"][i + 1], "path": p["rank"], "hop": i + 1,
                          "value": p["values"][i], "time": p["times"][i]})
    return {"from": result["from"], "to": result["to"],
            "nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges,
            "notes": result["notes"]}
