"""Taint: how much of what the sources held reached each later output, by poison, haircut or FIFO.

Two parts. `taint_steps()` collects the subgraph with stored queries (sans I/O, see
analysis.steps: `taint()` drives it with the CLI's Graph, the API with its AsyncGraph):
`taint/start` resolves the sources to outputs, `taint/step` returns, for the outputs of one
hop, each spending transaction with all its inputs and outputs; it repeats the step breadth
first, up to `max_hops`, whole transactions only, until the row budget is spent. The subgraph
is the same for the three methods: every transaction within `max_hops` spends of a source.
Then a pure function, `poison`, `haircut` or `fifo`, computes the taint over it, with no
database involved.

Why not in BFS order: a transaction can spend outputs reached at different hops (one input two
spends from the source, another five), so its taint is final only once every earlier
transaction is done. The pure functions go in chain order: block height, then the index in the
block, transactions not placed in a block last by txid (moved after the transaction that
created their input if the txids say otherwise).

Amounts are exact: poison and FIFO count whole satoshi, haircut keeps Fractions and rounds
down only when it reports. Haircut and FIFO conserve value per transaction: the taint leaving
it (outputs plus its share of the fee) equals the taint that entered.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Generic, Literal, TypeVar, get_args

from analysis.account_taint import EthTaint, Transfer, account_taint, collect_steps
from analysis.accounts import Window, asset_label, eth_kind, infer_chain, parse_asset
from analysis.steps import Steps, check_limit, run
from chaintrail.errors import LimitError, NotFound, ParameterError
from cypher.registry import normal_address
from cypher.runner import Graph

Method = Literal["poison", "haircut", "fifo"]
Status = Literal["spent", "unspent", "beyond"]
METHODS: tuple[str, ...] = get_args(Method)

MAX_HOPS = 20
MAX_ROWS = 100_000
MAX_SOURCES = 20
MAX_SOURCE_OUTPUTS = 10_000
"""Outputs per source at most (an address or a cluster can have millions)."""
FRONTIER_CHUNK = 5_000

_TXID = re.compile(r"^[0-9a-fA-F]{64}$")
_OUTPUT = re.compile(r"^([0-9a-fA-F]{64}):(\d{1,10})$")
_CLUSTER = "cluster:"

ROUNDING = {
    "poison": "none: every amount is a whole output value",
    "haircut": "down: each amount is its exact share rounded down to the satoshi; each total is "
               "the exact total rounded down once",
    "fifo": "none: FIFO moves whole satoshi",
}


@dataclass(frozen=True, slots=True)
class TaintLimits:
    max_hops: int = 6
    max_rows: int = 10_000
    """Outputs in the collected subgraph at most (the rows poison would give)."""

    def __post_init__(self) -> None:
        check_limit("max_hops", self.max_hops, MAX_HOPS)
        check_limit("max_rows", self.max_rows, MAX_ROWS)


# ---- the in-memory subgraph --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Input:
    output: str
    """The spent output's id, 'txid:n'."""
    value: int | None
    """None while the spent output is not loaded (its creating block is missing)."""


@dataclass(frozen=True, slots=True)
class Output:
    n: int
    value: int
    address: str | None = None
    spent: bool = False
    """Spent by some (non-stale) transaction, inside the subgraph or not."""


@dataclass(frozen=True, slots=True)
class Transaction:
    txid: str
    inputs: tuple[Input, ...]
    """In vin order."""
    outputs: tuple[Output, ...]
    """In n order."""
    height: int | None = None
    index: int | None = None
    """Position in its block (IN_BLOCK.index)."""


@dataclass(frozen=True, slots=True)
class Source:
    output: str
    value: int
    spent: bool = False
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Subgraph:
    sources: tuple[Source, ...]
    txs: tuple[Transaction, ...]


# ---- the result ---------------------------------------------------------------------------------

@dataclass(slots=True)
class Row:
    """An output taint reached: `exact` is its tainted amount, `hop` the fewest spends from a
    source along which taint reached it, `status` where its taint is now."""

    output: str
    txid: str
    vout: int
    address: str | None
    value: int
    height: int | None
    hop: int
    exact: Fraction
    status: Status = "unspent"

    @property
    def tainted_value(self) -> int:
        return _floor(self.exact)

    def as_dict(self) -> dict[str, Any]:
        return {"hop": self.hop, "txid": self.txid, "vout": self.vout, "address": self.address,
                "value": self.value, "tainted_value": self.tainted_value,
                "status": self.status, "height": self.height}


@dataclass(frozen=True, slots=True)
class Flow:
    """One transaction's balance: taint in, taint on its outputs, taint left in its fee."""

    txid: str
    hop: int
    tainted_in: Fraction
    tainted_out: Fraction
    tainted_fee: Fraction
    inputs: tuple[str, ...] = ()
    """The tainted outputs it spends (a source's or a row's), in vin order: a flow graph's
    edges into it."""
    height: int | None = None
    to_sources: tuple[tuple[str, Fraction], ...] = ()
    """Taint it put on outputs that are sources themselves (no rows: a source counts in full;
    the amounts add up to the overlap)."""


@dataclass(slots=True)
class Taint:
    method: Method
    rows: list[Row]
    flows: list[Flow]
    source_value: int
    unspent: Fraction
    """Taint still in unspent outputs (rows and sources)."""
    beyond: Fraction
    """Taint in outputs spent outside the subgraph (past max_hops, a truncation, or a
    transaction whose inputs' values are not loaded)."""
    fees: Fraction
    overlap: Fraction
    """Taint that reached a source from another source (the source counts in full anyway)."""
    sources: list[str] = field(default_factory=list)
    start: tuple[Source, ...] = ()
    """The source outputs, each tainted in full."""
    source_outputs: int = 0
    max_hops: int | None = None
    truncated: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method, "sources": self.sources,
            "source_outputs": self.source_outputs, "max_hops": self.max_hops,
            "rows": [r.as_dict() for r in self.rows], "transactions": len(self.flows),
            "tainted_in": self.source_value, "tainted_out": _floor(self.unspent + self.beyond),
            "tainted_unspent": _floor(self.unspent), "tainted_beyond": _floor(self.beyond),
            "tainted_fees": _floor(self.fees), "source_overlap": _floor(self.overlap),
            "rounding": ROUNDING[self.method],
            "truncated": bool(self.truncated), "truncation": self.truncated,
        }


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


# ---- the three methods (pure) -------------------------------------------------------------------

S = TypeVar("S")
Ranges = tuple[tuple[int, int], ...]
"""FIFO: the tainted satoshi of an output, as sorted, disjoint [start, end) ranges within it."""


@dataclass(frozen=True, slots=True)
class _Rule(Generic[S]):
    full: Callable[[int], S]
    amount: Callable[[S], Fraction]
    spread: Callable[[Transaction, list[S | None], list[int]], list[S | None]]
    """Each output's taint (None: none reached it) from each input's taint and value."""
    needs_values: bool


def _poison_spread(tx: Transaction, ins: list[Fraction | None],
                   values: list[int]) -> list[Fraction | None]:
    return [Fraction(o.value) for o in tx.outputs]


def _haircut_spread(tx: Transaction, ins: list[Fraction | None],
                    values: list[int]) -> list[Fraction | None]:
    t_in = sum((s for s in ins if s is not None), Fraction(0))
    # max(): on inconsistent data (outputs above inputs) the outputs still share only t_in
    total = max(sum(values), sum(o.value for o in tx.outputs))
    if t_in == 0:
        return [None] * len(tx.outputs)
    return [t_in * o.value / total if o.value else None for o in tx.outputs]


def _fifo_spread(tx: Transaction, ins: list[Ranges | None],
                 values: list[int]) -> list[Ranges | None]:
    tainted: list[tuple[int, int]] = []  # in the transaction's satoshi line, inputs in vin order
    pos = 0
    for s, v in zip(ins, values, strict=True):
        tainted += [(pos + a, pos + b) for a, b in s or ()]
        pos += v
    outs: list[Ranges | None] = []
    start = 0
    for o in tx.outputs:
        end = start + o.value
        part = [(max(a, start) - start, min(b, end) - start)
                for a, b in tainted if max(a, start) < min(b, end)]
        outs.append(_merge(part) or None)
        start = end
    return outs  # what lies past the last output is the fee


def _merge(ranges: Iterable[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for a, b in ranges:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)


POISON: _Rule[Fraction] = _Rule(Fraction, lambda s: s, _poison_spread, needs_values=False)
HAIRCUT: _Rule[Fraction] = _Rule(Fraction, lambda s: s, _haircut_spread, needs_values=True)
FIFO: _Rule[Ranges] = _Rule(lambda v: ((0, v),) if v else (),
                            lambda s: Fraction(sum(b - a for a, b in s)),
                            _fifo_spread, needs_values=True)


def poison(sub: Subgraph) -> Taint:
    """Every output of a transaction with a tainted input is tainted in full: it marks, it does
    not measure (the tainted amounts grow, the fee of each such transaction counts in full)."""
    return _walk("poison", sub, POISON)


def haircut(sub: Subgraph) -> Taint:
    """Each output of a transaction gets value x tainted_in / total_in (exact fractions); the
    fee absorbs the rest, so what leaves a transaction equals what entered it."""
    return _walk("haircut", sub, HAIRCUT)


def fifo(sub: Subgraph) -> Taint:
    """Satoshi first-in-first-out: the inputs' satoshi in vin order fill the outputs in n order;
    tainted satoshi keep their place, and those past the last output are the fee."""
    return _walk("fifo", sub, FIFO)


def chain_key(tx: Transaction) -> tuple[int, int, int, str]:
    if tx.height is None or tx.index is None:
        return (1, 0, 0, tx.txid)
    return (0, tx.height, tx.index, tx.txid)


def chain_order(txs: Sequence[Transaction]) -> list[Transaction]:
    """Chain order, except that no transaction comes before one that created its input."""
    by_id = {t.txid: t for t in txs}
    waits: dict[str, set[str]] = {}
    frees: dict[str, list[str]] = {}
    for t in txs:
        waits[t.txid] = {p for i in t.inputs
                         if (p := i.output.rpartition(":")[0]) in by_id and p != t.txid}
        for p in waits[t.txid]:
            frees.setdefault(p, []).append(t.txid)
    ready = [(chain_key(t), t.txid) for t in txs if not waits[t.txid]]
    heapq.heapify(ready)
    order: list[Transaction] = []
    while ready:
        _, txid = heapq.heappop(ready)
        order.append(by_id[txid])
        for c in frees.get(txid, ()):
            waits[c].discard(txid)
            if not waits[c]:
                heapq.heappush(ready, (chain_key(by_id[c]), c))
    return order  # a cycle cannot occur in a chain (txids are hashes of the inputs)


def _walk(method: Method, sub: Subgraph, rule: _Rule[S]) -> Taint:
    for src in sub.sources:
        if src.value < 0:
            raise ParameterError(f"source {src.output} has a negative value ({src.value})")
    for t in sub.txs:
        if any(o.value < 0 for o in t.outputs) or any(
                i.value is not None and i.value < 0 for i in t.inputs):
            raise ParameterError(f"transaction {t.txid} has a negative value")
    state: dict[str, S] = {s.output: rule.full(s.value) for s in sub.sources}
    hop = dict.fromkeys(state, 0)
    sources = {s.output: s for s in sub.sources}
    rows: list[Row] = []
    flows: list[Flow] = []
    consumed: set[str] = set()
    stopped: list[str] = []
    spent: dict[str, bool] = {}
    overlap = Fraction(0)
    for tx in chain_order(sub.txs):
        ins = [state.get(i.output) for i in tx.inputs]
        tainted = [i.output for i, s in zip(tx.inputs, ins, strict=True) if s is not None]
        if not tainted:
            continue
        values = [i.value for i in tx.inputs]
        if rule.needs_values and None in values:
            stopped.append(tx.txid)
            continue
        outs = rule.spread(tx, ins, [v or 0 for v in values])
        consumed.update(tainted)
        h = 1 + min(hop[o] for o in tainted)
        t_in = sum((rule.amount(s) for s in ins if s is not None), Fraction(0))
        t_out = sum((rule.amount(s) for s in outs if s is not None), Fraction(0))
        if method != "poison":
            fee = t_in - t_out
        elif None in values:  # poison marks without values; the fee is unknown, counted as 0
            fee = Fraction(0)
        else:
            fee = Fraction(max(0, sum(v or 0 for v in values) - sum(o.value for o in tx.outputs)))
        to_sources: list[tuple[str, Fraction]] = []
        for o, got in zip(tx.outputs, outs, strict=True):
            oid = f"{tx.txid}:{o.n}"
            if got is None:
                continue
            if oid in sources:  # already tainted in full, as a source
                overlap += rule.amount(got)
                to_sources.append((oid, rule.amount(got)))
                continue
            state[oid] = got
            hop[oid] = h
            rows.append(Row(oid, tx.txid, o.n, o.address, o.value, tx.height, h,
                            rule.amount(got)))
            spent[oid] = o.spent
        flows.append(Flow(tx.txid, h, t_in, t_out, fee, tuple(tainted), tx.height,
                          tuple(to_sources)))
    for r in rows:
        r.status = _status(r.output, spent[r.output], consumed)
    leaves = [(r.status, r.exact) for r in rows] + [
        (_status(s.output, s.spent, consumed), Fraction(s.value)) for s in sub.sources]
    unspent = beyond = Fraction(0)
    for status, amount in leaves:
        if status == "unspent":
            unspent += amount
        elif status == "beyond":
            beyond += amount
    result = Taint(method, rows, flows, sum(s.value for s in sub.sources), unspent, beyond,
                   sum((f.tainted_fee for f in flows), Fraction(0)), overlap, start=sub.sources)
    if stopped:
        result.truncated.append(
            f"values: {len(stopped)} transaction(s) spend an output whose value is not loaded; "
            f"{method} cannot share taint there, so it stops at their inputs, e.g. {stopped[0]}")
    return result


def _status(output: str, spent: bool, consumed: set[str]) -> Status:
    if output in consumed:
        return "spent"
    return "beyond" if spent else "unspent"


METHOD: dict[str, Callable[[Subgraph], Taint]] = {
    "poison": poison, "haircut": haircut, "fifo": fifo}


# ---- from the graph -----------------------------------------------------------------------------

def source_kind(source: str) -> tuple[str, str]:
    """(kind, key) of a source: 'output' for txid:vout, 'txid' for 64 hex digits (all its
    outputs), 'cluster' for cluster:<cluster id>, else 'address'."""
    if source.startswith(_CLUSTER):
        key = source[len(_CLUSTER):]
        if not key or len(key) > 100 or not key.isalnum():
            raise ParameterError(f"source {source!r}: a cluster id is an address")
        return "cluster", normal_address(key)
    if m := _OUTPUT.match(source):
        return "output", f"{m.group(1).lower()}:{int(m.group(2))}"
    if _TXID.match(source):
        return "txid", source.lower()
    if not source or len(source) > 100 or not source.isalnum():
        raise ParameterError(f"source {source!r} is neither an address, a txid, 'txid:vout' "
                             "nor 'cluster:<cluster id>'")
    return "address", normal_address(source)


def taint(graph: Graph, method: str, sources: Sequence[str],
          limits: TaintLimits | None = None, *, chain: str | None = None,
          asset: str | None = None, window: Window | None = None) -> Taint | EthTaint:
    """Taint from `sources` (outputs, txids, addresses, clusters) by `method`, up to
    limits.max_hops spends away. On Ethereum (`chain`, or 0x sources): transfers,
    transactions or accounts, one asset, within the window (analysis.account_taint)."""
    return run(graph, taint_steps(method, sources, limits, chain=chain, asset=asset,
                                  window=window))


def taint_steps(method: str, sources: Sequence[str], limits: TaintLimits | None = None, *,
                chain: str | None = None, asset: str | None = None,
                window: Window | None = None) -> Steps[Taint | EthTaint]:
    """`taint` without I/O (see analysis.steps)."""
    if method not in METHODS:
        raise ParameterError(f"unknown taint method {method!r}; one of {', '.join(METHODS)}")
    limits = limits or TaintLimits()
    if infer_chain(sources[0] if sources else "", chain) == "ethereum":
        return (yield from eth_taint_steps(method, sources, limits, asset=asset,
                                           window=window or Window()))
    if asset is not None or (window is not None and not window.empty):
        raise ParameterError("asset and the block or time window apply to Ethereum only")
    wanted: dict[str, tuple[str, str]] = {}
    for s in sources:
        kind, key = source_kind(s)
        wanted.setdefault(f"{_CLUSTER}{key}" if kind == "cluster" else key, (kind, key))
    _check_count(len(wanted))
    truncated: list[str] = []
    found = yield ("taint/start", {
        "sources": [{"source": s, "kind": k, "key": key} for s, (k, key) in wanted.items()],
        "limit": MAX_SOURCE_OUTPUTS})
    start: dict[str, Source] = {}
    for s, (kind, _) in wanted.items():
        mine = [r for r in found if r["source"] == s]
        if not mine:
            raise NotFound(f"source {s!r}: no such {kind} in the graph (or only in stale blocks)")
        if len(mine) > MAX_SOURCE_OUTPUTS:
            mine = mine[:MAX_SOURCE_OUTPUTS]
            truncated.append(f"sources: only the first {MAX_SOURCE_OUTPUTS} outputs of {s} "
                             "(by output id)")
        for r in mine:
            if r["value"] is None:
                raise NotFound(f"source {s!r}: the value of output {r['output']} is not loaded "
                               "(only a spending transaction's input names it)")
            start[r["output"]] = Source(r["output"], r["value"], r["spent"], r["address"])
    txs, more = yield from _collect(start, limits)
    result = METHOD[method](Subgraph(tuple(start.values()), txs))
    result.sources = list(wanted)
    result.source_outputs = len(start)
    result.max_hops = limits.max_hops
    result.truncated[:0] = truncated + more
    return result


def _check_count(n: int) -> None:
    if not 1 <= n <= MAX_SOURCES:
        error = LimitError if n > MAX_SOURCES else ParameterError
        raise error(f"give between 1 and {MAX_SOURCES} sources, not {n}")


def eth_taint_steps(method: str, sources: Sequence[str], limits: TaintLimits, *,
                    asset: str | None = None,
                    window: Window | None = None) -> Steps[EthTaint]:
    """Taint on Ethereum (`taint` for chain 'ethereum'). A source is a transfer id (that
    transfer, tainted in full where it arrives), a transaction hash (its transfers of the
    asset) or an account (everything it sent within the window is tainted in full: its
    transfers out are the first rows). One asset: `asset`, else the sources' own when all
    are transfer ids of one asset, else 'ETH'."""
    window = window or Window()
    wanted: dict[str, tuple[str, str]] = {}
    for s in sources:
        kind, key = eth_kind(s, "source")
        wanted.setdefault(key, (kind, key))
    _check_count(len(wanted))
    chosen = parse_asset(asset)
    if asset is not None and chosen is None:
        raise ParameterError("taint follows one asset at a time (ETH or a token contract): "
                             "amounts of different assets cannot be added; run it per asset")
    by_transfer = asset is None and all(k == "output" for k, _ in wanted.values())
    found = yield ("taint/start", {
        "chain": "ethereum", "limit": MAX_SOURCE_OUTPUTS,
        "sources": [{"source": s, "kind": k, "key": key} for s, (k, key) in wanted.items()],
        "asset": None if by_transfer else chosen, **window.params()})
    if by_transfer:
        assets = sorted({r["asset"] for r in found})
        if len(assets) > 1:
            raise ParameterError(f"the source transfers are in several assets "
                                 f"({', '.join(assets)}): taint follows one; give the asset")
        chosen = assets[0] if assets else chosen
    assert chosen is not None
    truncated: list[str] = []
    start: dict[str, Transfer] = {}
    accounts: list[str] = []
    for s, (kind, _) in wanted.items():
        mine = [r for r in found if r["source"] == s]
        if kind == "address" and mine:
            accounts.append(mine[0]["address"])
            continue
        if not mine:
            what = {"address": "account", "txid": "transaction with transfers",
                    "output": "transfer"}[kind]
            raise NotFound(f"source {s!r}: no such {what} in the graph (asset "
                           f"{asset_label(chosen)}, within the window)")
        if len(mine) > MAX_SOURCE_OUTPUTS:
            mine = mine[:MAX_SOURCE_OUTPUTS]
            truncated.append(f"sources: only the first {MAX_SOURCE_OUTPUTS} transfers of {s} "
                             "(in time order)")
        for r in mine:
            start[r["output"]] = Transfer(r["output"], r["kind"], r["from_address"],
                                          r["address"], int(r["value"]), r["seq"], r["txid"],
                                          r["height"])
    sub, more = yield from collect_steps(start.values(), accounts, chosen, limits.max_hops,
                                         limits.max_rows, window)
    result = account_taint(method, sub)
    result.source_names = list(wanted)
    result.max_hops = limits.max_hops
    result.window = window
    result.truncated[:0] = truncated + more
    return result


def _collect(start: dict[str, Source],
             limits: TaintLimits) -> Steps[tuple[tuple[Transaction, ...], list[str]]]:
    """The transactions within max_hops spends of the sources, whole, up to max_rows outputs."""
    txs: dict[str, Transaction] = {}
    frontier = sorted(s.output for s in start.values() if s.spent)
    outputs = 0
    for hop in range(1, limits.max_hops + 1):
        if not frontier:
            break
        got: dict[str, Transaction] = {}
        for i in range(0, len(frontier), FRONTIER_CHUNK):
            rows = yield ("taint/step", {"outputs": frontier[i:i + FRONTIER_CHUNK]})
            for r in rows:
                if r["txid"] not in txs:
                    got[r["txid"]] = _transaction(r)
        frontier = []
        new = sorted(got.values(), key=chain_key)
        for k, t in enumerate(new):
            if outputs + len(t.outputs) > limits.max_rows:
                return tuple(txs.values()), [
                    f"rows: stopped at max_rows={limits.max_rows} outputs during hop {hop}; "
                    f"{len(new) - k} transaction(s) of that hop (from {t.txid} in chain order) "
                    "and all beyond were left out, and the taint they spend counts as beyond"]
            txs[t.txid] = t
            outputs += len(t.outputs)
            frontier += [f"{t.txid}:{o.n}" for o in t.outputs if o.spent]
    return tuple(txs.values()), []


def _transaction(r: dict[str, Any]) -> Transaction:
    return Transaction(
        r["txid"],
        tuple(Input(i["output"], i["value"]) for i in r["inputs"]),
        tuple(Output(o["n"], o["value"], o["address"], o["spent"]) for o in r["outputs"]),
        r["height"], r["index"])
