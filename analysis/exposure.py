"""Exposure: how much of what a target received (sent) came from (went to) tagged categories,
directly or through untagged intermediaries; and the cluster picture (value between clusters).

Exposure (Chainalysis' "direct/indirect exposure", docs/exposure.md). The target is an address
or a cluster. Received: each output the target received carries its value back to the
transaction that created it, which splits it over its inputs in proportion to their values
(haircut: `amount x input / total_in`); an input on a tagged address (a tag on the address or on
any address of its cluster) ends that path as exposure to the tag's categories, direct at hop 1,
indirect beyond; an untagged input carries its share one hop further back, up to max_hops. Sent
is the mirror image: a spent output's value is split over the spending transaction's outputs
(`amount x output / total_out`) and followed forward. Value from (to) the target itself is not
exposure and ends its path. Shares are exact `Fraction`s; each total is rounded down once, at the
end. Whatever is not exposure is accounted for too (`own`, `untagged`, `unknown`, `cut`), so
the numbers add up to the target's total (a counterparty with two categories counts in both).

Why Python around the stored queries: the walk is a hop-by-hop product of ratios with a budget of
transactions, which Cypher can express for one hop (`exposure/backward`, `exposure/forward`) but
not for a parameterised number of hops with exact rational arithmetic. The arithmetic (`split`,
`exact_sum`, `walk`, `summarize`) is pure and takes the hops as data, so it is tested without
Neo4j; `exposure_steps` plugs the stored queries in, without I/O (analysis.steps: `exposure`
drives it with the CLI's Graph, the API with its AsyncGraph); `cluster_flows_steps` likewise.

Cluster flows: `trace/cluster_flows` is one hop of the cluster picture (value between a list of
clusters and their counterparties); `cluster_flows` repeats it breadth first, each cluster
expanded once, at the first hop it was reached.

On Ethereum (`eth_exposure_steps`) the target is an account and the walk goes through
accounts' balances, time-respecting, one asset at a time. Received: what the target received
from each sender; an untagged sender's share is split over everything that sender had
received up to the moment it sent (haircut in an account: its balance is a proportional mix
of all it received), and so on back. Sent: what the target sent to each recipient; an
untagged recipient's share follows its balance forward by haircut (each later transfer out
of v takes v / balance of what is still there; fees and what stays are untagged).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from analysis.account_taint import Transfer, transfer_order
from analysis.accounts import (
    Window,
    from_limbs,
    infer_chain,
    is_account,
    parse_asset,
)
from analysis.steps import Steps, check_limit, finish, returning, run
from analysis.trace import paid_outputs
from chaintrail.errors import NotFound, ParameterError
from cypher.registry import normal_address
from cypher.runner import Graph, Row

Direction = Literal["received", "sent"]
FlowDirection = Literal["out", "in"]

MAX_HOPS = 10
"""The largest max_hops accepted (exposure and cluster flows)."""
MAX_TXS = 100_000
MAX_FANOUT = 10_000
MAX_OUTPUTS = 100_000
MAX_CLUSTERS = 10_000
MAX_ROWS = 100_000
FRONTIER_CHUNK = 1_000
"""Frontier outputs per stored-query call (each reaches one transaction at most)."""
TAG_CHUNK = 5_000
"""Addresses per `exposure/tags` call (each call reads the Tag nodes once)."""
CLUSTER_CHUNK = 100
"""Clusters per `trace/cluster_flows` call."""
UNCATEGORIZED = "uncategorized"
"""The category `exposure/tags` gives a tag without one."""


# ---- the target and the limits -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """What exposure is computed for: one address, or one cluster by id (its smallest address)."""

    kind: Literal["address", "cluster"]
    id: str

    @property
    def label(self) -> str:
        return f"cluster:{self.id}" if self.kind == "cluster" else self.id

    def owns(self, party: Party) -> bool:
        """Whether an input (output) is the target's own: the address itself for an address
        target; any address of the cluster for a cluster target."""
        if self.kind == "cluster":
            return party.cluster_id == self.id
        return party.address == self.id


def parse_target(text: str) -> Target:
    """'cluster:<id>' is a cluster, anything else an address (checked for shape only: the CLI
    decodes addresses)."""
    kind: Literal["address", "cluster"] = "address"
    ident = text
    if text.startswith("cluster:"):
        kind, ident = "cluster", text.removeprefix("cluster:")
    if not ident or len(ident) > 100 or not ident.isalnum():
        raise ParameterError(f"target {text!r} is neither an address nor 'cluster:<id>'")
    return Target(kind, normal_address(ident))


@dataclass(frozen=True, slots=True)
class ExposureLimits:
    max_hops: int = 3
    max_txs: int = 10_000
    """Transactions visited at most, over all hops; the value left in the frontier is `cut`."""
    max_fanout: int = 1_000
    """Inputs (outputs) followed per transaction, the largest first; the rest is `cut`."""
    max_outputs: int = 10_000
    """The target's outputs followed, the largest first; the rest is `cut`."""

    def __post_init__(self) -> None:
        check_limit("max_hops", self.max_hops, MAX_HOPS)
        check_limit("max_txs", self.max_txs, MAX_TXS)
        check_limit("max_fanout", self.max_fanout, MAX_FANOUT)
        check_limit("max_outputs", self.max_outputs, MAX_OUTPUTS)


# ---- the arithmetic (pure) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """An input (received walk) or output (sent walk) of a transaction met on the walk."""

    output: str
    value: int | None
    address: str | None = None
    cluster_id: str | None = None
    seq: int | None = None
    """Ethereum: the transfer's seq (where the walk goes on from this account)."""


@dataclass(frozen=True, slots=True)
class HopTx:
    """A transaction one hop further: which frontier outputs reach it, its listed parties (the
    largest max_fanout), how many it has, and their total value (None: one is unresolved)."""

    txid: str
    reached: tuple[str, ...]
    parties: tuple[Party, ...]
    party_count: int
    total: int | None
    coinbase: bool = False
    weights: tuple[Fraction, ...] | None = None
    """When given, the share of what reaches it that goes to each party (instead of
    value / total): an Ethereum account's balance followed forward by haircut."""
    rest_untagged: Fraction = Fraction(0)
    """With weights: the share that ends untagged (fees, what stays in the account)."""
    rest_cut: Fraction = Fraction(0)
    """With weights: the share the bounds left unfollowed (the account's transfers cut)."""


def split(amount: Fraction, part: int, total: int) -> Fraction:
    """The haircut share of `amount` that goes with `part` of `total`: amount x part / total."""
    if total <= 0:
        raise ParameterError(f"cannot split over a total of {total}")
    return amount * part / total


def exact_sum(terms: Iterable[Fraction]) -> Fraction:
    """The exact sum, added pairwise: summing many fractions left to right makes every addition
    work on the growing common denominator; pairwise keeps most of them small."""
    xs = list(terms)
    if not xs:
        return Fraction(0)
    while len(xs) > 1:
        xs = [xs[i] + xs[i + 1] if i + 1 < len(xs) else xs[i] for i in range(0, len(xs), 2)]
    return xs[0]


@dataclass(slots=True)
class Tally:
    """Where the target's value went, as exact terms: per category, direct (hop 1) and indirect
    (later hops); and what is not exposure: the target's own addresses, paths that ended
    untagged (beyond max_hops, at a coinbase, at an unspent output), where the data ends
    (`unknown`: a creating transaction not loaded, an unresolved input), and what the bounds
    left out (`cut`)."""

    direct: dict[str, list[Fraction]] = field(default_factory=lambda: defaultdict(list))
    indirect: dict[str, list[Fraction]] = field(default_factory=lambda: defaultdict(list))
    own: list[Fraction] = field(default_factory=list)
    untagged: list[Fraction] = field(default_factory=list)
    unknown: list[Fraction] = field(default_factory=list)
    cut: list[Fraction] = field(default_factory=list)


Fetch = Callable[[Sequence[str]], Sequence[HopTx]]
"""One hop: the transactions the given frontier outputs reach."""
Categorize = Callable[[Sequence[str]], Mapping[str, Sequence[str]]]
"""Tag categories (own and inherited from the cluster) of the given addresses; untagged ones
may be left out."""
FetchSteps = Callable[[Sequence[str]], Steps[Sequence[HopTx]]]
"""`Fetch` as steps (analysis.steps): the stored queries it needs, then its answer."""
CategorizeSteps = Callable[[Sequence[str]], Steps[Mapping[str, Sequence[str]]]]
"""`Categorize` as steps."""


@dataclass(slots=True)
class Walk:
    tally: Tally
    txs_visited: int = 0
    truncated: list[str] = field(default_factory=list)


def walk(start: Mapping[str, int], fetch: Fetch, categorize: Categorize,
         owns: Callable[[Party], bool], limits: ExposureLimits, direction: Direction,
         tally: Tally | None = None, chain: str = "bitcoin") -> Walk:
    """`walk_steps` with the hops and the tags given by plain functions (no graph)."""
    return finish(walk_steps(start, lambda o: returning(fetch(o)),
                             lambda a: returning(categorize(a)), owns, limits, direction,
                             tally, chain))


def walk_steps(start: Mapping[str, int], fetch: FetchSteps, categorize: CategorizeSteps,
               owns: Callable[[Party], bool], limits: ExposureLimits, direction: Direction,
               tally: Tally | None = None, chain: str = "bitcoin") -> Steps[Walk]:
    """Follow the value of the `start` outputs (output id -> value) hop by hop.

    Each transaction gets the exact sum of what reaches it through the frontier outputs it
    created (received) or spent (sent), and splits it over its parties in proportion to their
    values. A party of the target ends its path as `own`; a tagged party as exposure (direct at
    hop 1); an untagged one is followed, or at max_hops ends as `untagged`. A frontier output
    with no transaction is `unknown` (received: its creator is not loaded) or `untagged` (sent:
    unspent, the money rests there).
    """
    result = Walk(tally if tally is not None else Tally())
    t = result.tally
    known: dict[str, tuple[str, ...]] = {}
    fan_cut: set[str] = set()
    frontier = {o: Fraction(v) for o, v in start.items() if v}
    for hop in range(1, limits.max_hops + 1):
        if not frontier:
            break
        last = hop == limits.max_hops
        outputs = sorted(frontier)
        nxt: dict[str, list[Fraction]] = defaultdict(list)
        i = 0
        while i < len(outputs):
            budget = limits.max_txs - result.txs_visited
            if budget <= 0:
                rest = outputs[i:]
                t.cut.extend(frontier[o] for o in rest)
                result.truncated.append(
                    f"transactions: stopped at max_txs={limits.max_txs} in hop {hop}; the value "
                    f"on {len(rest)} frontier output(s) was not followed")
                _note_fan_cut(result, fan_cut, limits, direction, chain)
                return result
            chunk = outputs[i:i + min(FRONTIER_CHUNK, budget)]
            i += len(chunk)
            txs = sorted((yield from fetch(chunk)), key=lambda x: x.txid)
            result.txs_visited += len(txs)
            yield from _lookup(categorize, txs, owns, known)
            reached: set[str] = set()
            for tx in txs:
                mine = [o for o in tx.reached if o in frontier]
                reached.update(mine)
                amount = exact_sum(frontier[o] for o in mine)
                _spread(t, amount, tx, hop, last, owns, known, nxt, fan_cut)
            ended = t.unknown if direction == "received" else t.untagged
            ended.extend(frontier[o] for o in chunk if o not in reached)
        frontier = {o: exact_sum(terms) for o, terms in nxt.items()}
    _note_fan_cut(result, fan_cut, limits, direction, chain)
    return result


def _spread(t: Tally, amount: Fraction, tx: HopTx, hop: int, last: bool,
            owns: Callable[[Party], bool], known: Mapping[str, tuple[str, ...]],
            nxt: dict[str, list[Fraction]], fan_cut: set[str]) -> None:
    if not amount:
        return
    if tx.coinbase:
        t.untagged.append(amount)  # newly mined coins: an untagged origin
        return
    if tx.weights is not None:
        for p, w in zip(tx.parties, tx.weights, strict=True):
            if w:
                _place(t, amount * w, p, hop, last, owns, known, nxt)
        if tx.rest_untagged:
            t.untagged.append(amount * tx.rest_untagged)
        if tx.rest_cut:
            t.cut.append(amount * tx.rest_cut)
            fan_cut.add(tx.txid)
        return
    if tx.total is None:
        t.unknown.append(amount)  # an input's value is not loaded: no split is defined
        return
    if tx.total <= 0:
        t.untagged.append(amount)  # only zero-value outputs: the value went to the fee
        return
    listed = 0
    for p in tx.parties:
        value = p.value or 0
        listed += value
        if not value:
            continue
        _place(t, split(amount, value, tx.total), p, hop, last, owns, known, nxt)
    if listed < tx.total:
        t.cut.append(split(amount, tx.total - listed, tx.total))
        fan_cut.add(tx.txid)


def _place(t: Tally, s: Fraction, p: Party, hop: int, last: bool,
           owns: Callable[[Party], bool], known: Mapping[str, tuple[str, ...]],
           nxt: dict[str, list[Fraction]]) -> None:
    """Where one party's share ends: own, exposure to its categories, untagged at the last
    hop, or followed one hop further."""
    cats = known.get(p.address, ()) if p.address is not None else ()
    if owns(p):
        t.own.append(s)
    elif cats:
        for c in cats:
            (t.direct if hop == 1 else t.indirect)[c].append(s)
    elif last:
        t.untagged.append(s)
    else:
        nxt[p.output].append(s)


def _lookup(categorize: CategorizeSteps, txs: Sequence[HopTx], owns: Callable[[Party], bool],
            known: dict[str, tuple[str, ...]]) -> Steps[None]:
    """Fill `known` with the categories of the parties' addresses not looked up yet."""
    wanted = sorted({p.address for tx in txs for p in tx.parties
                     if p.address is not None and p.address not in known and not owns(p)})
    for i in range(0, len(wanted), TAG_CHUNK):
        chunk = wanted[i:i + TAG_CHUNK]
        found = yield from categorize(chunk)
        for a in chunk:
            known[a] = tuple(sorted(set(found.get(a, ()))))


def _note_fan_cut(result: Walk, cut: set[str], limits: ExposureLimits,
                  direction: Direction, chain: str = "bitcoin") -> None:
    if cut and chain == "ethereum":
        result.truncated.append(
            f"fan-out: {len(cut)} account balance(s) with more than max_fanout="
            f"{limits.max_fanout} transfers {'in' if direction == 'received' else 'after'} "
            f"were cut; the value of the rest was not followed, e.g. {min(cut)}")
    elif cut:
        result.truncated.append(
            f"fan-out: {len(cut)} transaction(s) with more than max_fanout={limits.max_fanout} "
            f"{'inputs' if direction == 'received' else 'outputs'}: the value of the rest was not "
            f"followed, e.g. {min(cut)}")


@dataclass(frozen=True, slots=True)
class CategoryExposure:
    category: str
    direct_value: int
    indirect_value: int
    share: float


@dataclass(slots=True)
class Exposure:
    """The answer: one row per category, what is not exposure, and why it may be incomplete."""

    target: str
    direction: Direction
    max_hops: int
    total: int
    """What the target received (sent), satoshi: the denominator of every share."""
    output_count: int
    rows: list[CategoryExposure]
    own: int
    untagged: int
    unknown: int
    cut: int
    txs_visited: int = 0
    truncated: list[str] = field(default_factory=list)
    chain: str = "bitcoin"
    asset: str | None = None
    window: Window = field(default_factory=Window)

    def as_dict(self) -> dict[str, Any]:
        if self.chain == "ethereum":  # exact decimal strings: wei exceed JSON's safe integers
            return {"chain": "ethereum", "asset": self.asset, "window": self.window.as_dict(),
                    "target": self.target, "direction": self.direction,
                    "max_hops": self.max_hops, "total": str(self.total),
                    "output_count": self.output_count,
                    "rows": [{"category": r.category, "direct_value": str(r.direct_value),
                              "indirect_value": str(r.indirect_value), "share": r.share}
                             for r in self.rows],
                    "not_exposure": {"own": str(self.own), "untagged": str(self.untagged),
                                     "unknown": str(self.unknown), "cut": str(self.cut)},
                    "txs_visited": self.txs_visited, "truncated": bool(self.truncated),
                    "truncation": self.truncated}
        return {"target": self.target, "direction": self.direction, "max_hops": self.max_hops,
                "total": self.total, "output_count": self.output_count,
                "rows": [{"category": r.category, "direct_value": r.direct_value,
                          "indirect_value": r.indirect_value, "share": r.share}
                         for r in self.rows],
                "not_exposure": {"own": self.own, "untagged": self.untagged,
                                 "unknown": self.unknown, "cut": self.cut},
                "txs_visited": self.txs_visited, "truncated": bool(self.truncated),
                "truncation": self.truncated}


def floor_sum(terms: Iterable[Fraction]) -> int:
    """An exact sum rounded down to whole satoshi."""
    return math.floor(exact_sum(terms))


def share_of(value: int, total: int) -> float:
    """value / total as a float rounded to 6 places (0.0 when nothing was received or sent)."""
    return round(value / total, 6) if total else 0.0


def summarize(target: str, direction: Direction, max_hops: int, total: int, output_count: int,
              w: Walk) -> Exposure:
    """The rounded answer: each category's direct and indirect value rounded down, its share of
    `total`, largest exposure first (then by category)."""
    t = w.tally
    rows = []
    for c in sorted(set(t.direct) | set(t.indirect)):
        d, i = floor_sum(t.direct.get(c, [])), floor_sum(t.indirect.get(c, []))
        rows.append(CategoryExposure(c, d, i, share_of(d + i, total)))
    rows.sort(key=lambda r: (-(r.direct_value + r.indirect_value), r.category))
    return Exposure(target, direction, max_hops, total, output_count, rows,
                    own=floor_sum(t.own), untagged=floor_sum(t.untagged),
                    unknown=floor_sum(t.unknown), cut=floor_sum(t.cut),
                    txs_visited=w.txs_visited, truncated=list(w.truncated))


# ---- on the graph ---------------------------------------------------------------------------


def _hop_tx(r: Row) -> HopTx:
    return HopTx(txid=r["txid"], reached=tuple(r["reached"]),
                 parties=tuple(Party(p["output"], p["value"], p["address"], p["cluster_id"])
                               for p in r["parties"]),
                 party_count=r["party_count"], total=r["total"], coinbase=bool(r["coinbase"]))


def exposure(graph: Graph, target: str | Target, direction: Direction,
             limits: ExposureLimits | None = None, *, chain: str | None = None,
             asset: str | None = None, window: Window | None = None) -> Exposure:
    """Exposure of an address or a cluster ('cluster:<id>') by tag category; on Ethereum
    (`chain`, or a 0x target) of an account, in one asset, within the window."""
    return run(graph, exposure_steps(target, direction, limits, chain=chain, asset=asset,
                                     window=window))


def exposure_steps(target: str | Target, direction: Direction,
                   limits: ExposureLimits | None = None, *, chain: str | None = None,
                   asset: str | None = None,
                   window: Window | None = None) -> Steps[Exposure]:
    """`exposure` without I/O (see analysis.steps)."""
    limits = limits or ExposureLimits()
    text = target.label if isinstance(target, Target) else target
    if direction not in ("received", "sent"):
        raise ParameterError(f"direction must be 'received' or 'sent', not {direction!r}")
    if infer_chain(text, chain) == "ethereum":
        return (yield from eth_exposure_steps(text, direction, limits, asset=asset,
                                              window=window or Window()))
    if asset is not None or (window is not None and not window.empty):
        raise ParameterError("asset and the block or time window apply to Ethereum only")
    tgt = parse_target(target) if isinstance(target, str) else target
    key = "cluster_id" if tgt.kind == "cluster" else "address"
    yield from paid_outputs(tgt.id, tgt.kind == "cluster")  # NotFound when nothing pays it
    found = yield (f"exposure/{direction}", {key: tgt.id, "limit": limits.max_outputs})
    if not found:
        raise NotFound(f"no {tgt.kind} {tgt.id!r} in the graph")
    start_row = found[0]
    start = {o["output"]: o["value"] for o in start_row["outputs"]}
    tally = Tally()
    notes = []
    if start_row["output_count"] > len(start):
        rest = start_row["value"] - sum(start.values())
        tally.cut.append(Fraction(rest))
        notes.append(f"start: only the largest {len(start)} of the target's "
                     f"{start_row['output_count']} outputs were followed (max_outputs)")
    hop_query = "exposure/backward" if direction == "received" else "exposure/forward"

    def fetch(outputs: Sequence[str]) -> Steps[Sequence[HopTx]]:
        rows = yield (hop_query, {"outputs": list(outputs), "max_fanout": limits.max_fanout})
        return [_hop_tx(r) for r in rows]

    def categorize(addresses: Sequence[str]) -> Steps[Mapping[str, Sequence[str]]]:
        rows = yield ("exposure/tags", {"addresses": list(addresses)})
        return {r["address"]: r["categories"] for r in rows}

    w = yield from walk_steps(start, fetch, categorize, tgt.owns, limits, direction, tally)
    w.truncated[:0] = notes
    return summarize(tgt.label, direction, limits.max_hops, start_row["value"],
                     start_row["output_count"], w)


def eth_exposure_steps(target: str, direction: Direction, limits: ExposureLimits, *,
                       asset: str | None = None,
                       window: Window | None = None) -> Steps[Exposure]:
    """Exposure of an Ethereum account (`exposure` for chain 'ethereum'), one asset ('ETH'
    by default, or a token contract), within the window: see the module docstring. Hop 1
    splits the target's own transfers in (out), the largest max_outputs, over their
    counterparties; from hop 2 on, a frontier transfer stands for its counterparty's balance
    at that moment."""
    window = window or Window()
    if target.startswith("cluster:"):
        raise ParameterError("there are no clusters on Ethereum: the target is an account")
    if not is_account(target):
        raise ParameterError(f"target {target!r} is not an Ethereum account (0x and 40 hex "
                             "digits)")
    account = target.lower()
    chosen = parse_asset(asset)
    if chosen is None:
        raise ParameterError("exposure follows one asset at a time (ETH or a token contract): "
                             "amounts of different assets cannot be added; run it per asset")
    found = yield (f"exposure/{direction}", {
        "chain": "ethereum", "address": account, "limit": limits.max_outputs,
        "asset": chosen, **window.params()})
    if not found:
        raise NotFound(f"no account {account!r} in the graph")
    row = found[0]
    total = from_limbs(row["value_limbs"])
    first = _eth_parties(row["outputs"])
    listed = sum(p.value or 0 for p in first)
    tally = Tally()
    notes = []
    if row["output_count"] > len(first):
        tally.cut.append(Fraction(total - listed))
        notes.append(f"start: only the largest {len(first)} of the target's "
                     f"{row['output_count']} transfers were followed (max_outputs)")
    pool = HopTx(txid=account, reached=(account,), parties=first, party_count=len(first),
                 total=listed)
    where: dict[str, tuple[str, int]] = {}
    """A frontier transfer -> the counterparty account and seq the walk goes on from."""

    def remember(parties: Iterable[Party]) -> None:
        for p in parties:
            if p.address is not None and p.seq is not None:
                where[p.output] = (p.address, p.seq)

    remember(first)
    hop_query = "exposure/backward" if direction == "received" else "exposure/forward"
    bounds = {"min_seq": window.min_seq, "since": window.since} if direction == "received" \
        else {"max_seq": window.max_seq, "until": window.until}

    def fetch(keys: Sequence[str]) -> Steps[Sequence[HopTx]]:
        out = [pool] if account in keys else []
        rest = [k for k in keys if k != account and k in where]
        if rest:
            rows = yield (hop_query, {
                "chain": "ethereum", "asset": chosen, "max_fanout": limits.max_fanout,
                "frontier": [{"key": k, "account": where[k][0], "seq": where[k][1]}
                             for k in rest], **bounds})
            for r in rows:
                tx = _eth_pool_in(r) if direction == "received" else \
                    _eth_pool_out(r, where[r["txid"]][0], limits.max_fanout)
                remember(tx.parties)
                out.append(tx)
        return out

    def categorize(addresses: Sequence[str]) -> Steps[Mapping[str, Sequence[str]]]:
        rows = yield ("exposure/tags", {"chain": "ethereum", "addresses": list(addresses)})
        return {r["address"]: r["categories"] for r in rows}

    def owns(p: Party) -> bool:
        return p.address == account

    w = yield from walk_steps({account: listed} if listed else {}, fetch, categorize, owns,
                              limits, direction, tally, "ethereum")
    w.truncated[:0] = notes
    result = summarize(account, direction, limits.max_hops, total, row["output_count"], w)
    result.chain, result.asset, result.window = "ethereum", chosen, window
    return result


def _eth_parties(rows: Iterable[Row]) -> tuple[Party, ...]:
    return tuple(Party(r["output"], int(r["value"]), r["address"], r["cluster_id"], r["seq"])
                 for r in rows)


def _eth_pool_in(r: Row) -> HopTx:
    """An account's balance at a moment, backward: a proportional mix of all it received
    up to then (its transfers in, the largest listed)."""
    return HopTx(txid=r["txid"], reached=tuple(r["reached"]),
                 parties=_eth_parties(r["parties"]), party_count=r["party_count"],
                 total=from_limbs(r["total_limbs"]) if r["party_count"] else None,
                 coinbase=bool(r["coinbase"]))


def _eth_pool_out(r: Row, account: str, max_fanout: int) -> HopTx:
    """Money that reached an account by transfer `txid`, followed forward by haircut: each
    later transfer out of v takes v / balance of what is still there (all of it when v is
    the whole balance); fees and what stays are untagged, what lies past the transfers read
    (max_fanout) is cut. The weights are shares of the money that arrived."""
    key = r["txid"]
    if r["coinbase"]:
        return HopTx(key, tuple(r["reached"]), (), 0, None, coinbase=True)
    events = list(r["parties"])
    cut = len(events) > max_fanout
    if cut:  # whole transactions only: the order inside one is known here, not in the query
        first_unread = events[max_fanout]["seq"]
        events = [e for e in events[:max_fanout] if e["seq"] < first_unread] \
            or events[:max_fanout]
    balance = max(from_limbs(r["prior_in"]) - from_limbs(r["prior_out"]), 0)
    left, started = Fraction(0), False
    parties: list[Party] = []
    weights: list[Fraction] = []
    fees = Fraction(0)
    order = sorted(events, key=lambda e: transfer_order(Transfer(
        e["output"], e["kind"], "", "", 0, e["seq"])))
    for e in order:
        v = int(e["value"])
        if e["address"] == account and e["output"] != key:
            continue  # to itself: nothing leaves
        if e["dir"] == "in":
            balance += v
            if e["output"] == key:
                left, started = Fraction(1), True
            continue
        take = Fraction(0)
        if left:
            take = left if v >= balance else left * v / balance
            left -= take
        balance = max(balance - v, 0)
        if not take:
            continue
        if e["kind"] == "fee":
            fees += take
        else:
            parties.append(Party(e["output"], v, e["address"], e["cluster_id"], e["seq"]))
            weights.append(take)
    if not started:  # the arriving transfer itself was not read (cut before it)
        left, cut = Fraction(1), True
    return HopTx(key, tuple(r["reached"]), tuple(parties), len(parties), None,
                 weights=tuple(weights), rest_untagged=fees + (Fraction(0) if cut else left),
                 rest_cut=left if cut else Fraction(0))


# ---- cluster flows --------------------------------------------------------------------------


@dataclass(slots=True)
class ClusterFlows:
    """Value between clusters, hop by hop: `rows` of hop, from_cluster, to_cluster, value,
    tx_count (largest value first within a hop)."""

    cluster_id: str
    direction: FlowDirection
    max_hops: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"cluster_id": self.cluster_id, "direction": self.direction,
                "max_hops": self.max_hops, "rows": self.rows,
                "truncated": bool(self.truncated), "truncation": self.truncated}


def cluster_flows(graph: Graph, cluster_id: str, direction: FlowDirection, max_hops: int = 2,
                  *, max_outputs: int = 10_000, max_clusters: int = 1_000,
                  max_rows: int = 10_000) -> ClusterFlows:
    """Breadth-first over `trace/cluster_flows`: hop 1 expands the cluster, hop k the clusters
    first reached at hop k-1 (the largest flows first when max_clusters cuts a hop)."""
    return run(graph, cluster_flows_steps(
        cluster_id, direction, max_hops, max_outputs=max_outputs, max_clusters=max_clusters,
        max_rows=max_rows))


def cluster_flows_steps(cluster_id: str, direction: FlowDirection, max_hops: int = 2, *,
                        max_outputs: int = 10_000, max_clusters: int = 1_000,
                        max_rows: int = 10_000) -> Steps[ClusterFlows]:
    """`cluster_flows` without I/O (see analysis.steps)."""
    if direction not in ("out", "in"):
        raise ParameterError(f"direction must be 'out' or 'in', not {direction!r}")
    check_limit("max_hops", max_hops, MAX_HOPS)
    check_limit("max_outputs", max_outputs, MAX_OUTPUTS)
    check_limit("max_clusters", max_clusters, MAX_CLUSTERS)
    check_limit("max_rows", max_rows, MAX_ROWS)
    cluster_id = normal_address(cluster_id)
    yield from paid_outputs(cluster_id, True)  # NotFound: no cluster, nor a paid address
    result = ClusterFlows(cluster_id, direction, max_hops)
    seen, frontier, expanded = {cluster_id}, [cluster_id], 0
    near, far = ("from_cluster", "to_cluster") if direction == "out" else (
        "to_cluster", "from_cluster")
    for hop in range(1, max_hops + 1):
        if not frontier:
            break
        if expanded + len(frontier) > max_clusters:
            keep = max_clusters - expanded
            result.truncated.append(
                f"clusters: stopped at max_clusters={max_clusters} in hop {hop}; "
                f"{len(frontier) - keep} cluster(s) reached were not expanded")
            frontier = frontier[:keep]
            if not frontier:
                break
        rows: list[Row] = []
        for i in range(0, len(frontier), CLUSTER_CHUNK):
            rows += yield ("trace/cluster_flows", {
                "cluster_ids": frontier[i:i + CLUSTER_CHUNK], "direction": direction,
                "max_outputs": max_outputs})
        expanded += len(frontier)
        cut = sorted({r[near] for r in rows if r["cut"]})
        if cut:
            result.truncated.append(
                f"outputs: {len(cut)} cluster(s) in hop {hop} have more than max_outputs="
                f"{max_outputs} outputs; only the largest were followed, e.g. {cut[0]}")
        rows = [r for r in rows if r[far] is not None]
        rows.sort(key=lambda r: (-r["value"], r["from_cluster"], r["to_cluster"]))
        frontier = []
        for r in rows:
            if len(result.rows) >= max_rows:
                result.truncated.append(f"rows: stopped at max_rows={max_rows}")
                return result
            result.rows.append({"hop": hop, "from_cluster": r["from_cluster"],
                                "to_cluster": r["to_cluster"], "value": r["value"],
                                "tx_count": r["tx_count"]})
            if r[far] not in seen:
                seen.add(r[far])
                frontier.append(r[far])
    return result
