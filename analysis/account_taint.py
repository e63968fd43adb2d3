"""Taint on account chains (Ethereum): poison, haircut and FIFO over accounts' balances.

In an account model value does not sit in outputs: an account holds one balance per asset,
fed by transfers in and drained by transfers out. So taint is a property of that balance:
- **poison**: once an account received a tainted transfer, every transfer out of it
  afterwards is tainted in full (marks, does not measure);
- **haircut**: the account's balance B holds T tainted; a transfer out of v carries
  v x T / B of it (all of T when v >= B), so taint is shared in proportion and conserved;
- **FIFO**: the account's balance is a queue of what it received, in order; a transfer out
  takes the first v units of the queue (clean ones that arrived earlier go first) and passes
  them on in the same order, so tainted units keep their place.

Everything runs in time order, one asset at a time (amounts of different assets are never
added): by `seq`, then within one transaction fee first (gas is bought before execution),
then the native value, internal calls in trace order, token logs in log order. An account
is followed from the first transfer that can bring it taint; what it held before is one
clean amount (its balance before, summed exactly from its earlier transfers; a negative
balance, from history not loaded, counts as 0). Fees carry taint away (`tainted_fees`); the
zero address (burns) keeps what reaches it.

`account_taint` is pure (tested without Neo4j, against a unit-by-unit FIFO and an exact
haircut); `collect_steps` gathers the subgraph with taint/start and taint/step, breadth
first, whole accounts up to a row budget (analysis/taint.py drives both).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final, Literal

from analysis.accounts import ZERO_ADDRESS, Window, from_limbs
from analysis.steps import Steps

Status = Literal["spent", "unspent", "beyond"]

MAX_ACCOUNT_EVENTS = 10_000
"""Transfers read per account at most (an exchange has millions): after them the account's
taint counts as beyond the horizon."""
FRONTIER_CHUNK = 200
"""Accounts per taint/step call at most ..."""
EVENTS_PER_CALL = 100_000
"""... and fewer when each may bring many transfers: one call returns at most this many."""

_RANK = {"fee": 0, "native": 1, "internal": 2, "erc20": 3}


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    kind: str
    frm: str
    """NOWHERE for a miner's tip (the sender paid it as its fee)."""
    to: str
    """NOWHERE for a fee (gas paid: burnt, and the tip is the miner's own event)."""
    value: int
    seq: int
    txid: str | None = None
    height: int | None = None


def transfer_order(t: Transfer) -> tuple[int, int, tuple[int, ...], str]:
    """Time order: seq, then within a transaction the fee, the native value, internal calls
    by trace address, token transfers by log index; block rewards and withdrawals last."""
    rank = _RANK.get(t.kind, 4)
    sub: tuple[int, ...] = ()
    tail = t.id.rpartition(":")[2] if ":" in t.id else ""
    if t.kind == "internal":
        sub = tuple(int(x) for x in tail.split(",") if x.isdigit())
    elif t.kind == "erc20" and tail.isdigit():
        sub = (int(tail),)
    elif t.kind == "fee":
        sub = (0,) if tail == "fee" else (1,)
    return (t.seq, rank, sub, t.id)


@dataclass(frozen=True, slots=True)
class AccountWindow:
    """What is known of one followed account: its balance before `since` and its transfers
    from `since` on, complete up to the window's end, or cut after `until`."""

    account: str
    since: int
    prior: int
    until: int | None = None
    """None: every transfer after `since` is known; else the last seq read (cut)."""

    def covers(self, seq: int) -> bool:
        return self.since <= seq and (self.until is None or seq <= self.until)


@dataclass(frozen=True, slots=True)
class AccountSubgraph:
    asset: str
    sources: tuple[Transfer, ...]
    """Source transfers: each tainted in full where it arrives (hop 0, not a row)."""
    accounts: dict[str, AccountWindow]
    transfers: tuple[Transfer, ...]
    """Every transfer of the followed accounts' windows (the sources may be among them)."""
    source_accounts: frozenset[str] = frozenset()
    """Source accounts: every transfer out of one, in its window, is tainted in full (hop 1
    rows: where its money went); taint that comes back to it is overlap."""


@dataclass(slots=True)
class EthRow:
    """A transfer taint reached (not a source): `exact` its tainted amount, `hop` the fewest
    transfers from a source, `status` where its recipient's taint is now."""

    transfer: Transfer
    hop: int
    exact: Fraction
    status: Status = "beyond"

    @property
    def tainted_value(self) -> int:
        return _floor(self.exact)

    def as_dict(self, asset: str) -> dict[str, Any]:
        t = self.transfer
        return {"hop": self.hop, "txid": t.txid, "transfer": t.id, "kind": t.kind,
                "from_address": t.frm, "address": t.to, "value": str(t.value),
                "tainted_value": str(self.tainted_value), "status": self.status,
                "height": t.height, "asset": asset}


@dataclass(slots=True)
class EthTaint:
    """The account-model answer: rows and the balance of taint (see `account_taint`)."""

    method: str
    asset: str
    rows: list[EthRow]
    source_value: int
    unspent: Fraction
    beyond: Fraction
    fees: Fraction
    overlap: Fraction
    sources: tuple[Transfer, ...] = ()
    transactions: int = 0
    truncated: list[str] = field(default_factory=list)
    source_accounts: list[str] = field(default_factory=list)
    source_names: list[str] = field(default_factory=list)
    max_hops: int | None = None
    window: Window = field(default_factory=Window)

    @property
    def chain(self) -> str:
        return "ethereum"

    def as_dict(self) -> dict[str, Any]:
        """The Bitcoin answer's keys (analysis.taint.Taint.as_dict), amounts as exact decimal
        strings (wei exceed what JSON numbers carry exactly in most clients), plus chain,
        asset and window."""
        return {
            "chain": "ethereum", "asset": self.asset, "window": self.window.as_dict(),
            "method": self.method, "sources": self.source_names,
            "source_outputs": len(self.sources) + len(self.source_accounts),
            "max_hops": self.max_hops,
            "rows": [r.as_dict(self.asset) for r in self.rows],
            "transactions": self.transactions,
            "tainted_in": str(self.source_value),
            "tainted_out": str(_floor(self.unspent + self.beyond)),
            "tainted_unspent": str(_floor(self.unspent)),
            "tainted_beyond": str(_floor(self.beyond)),
            "tainted_fees": str(_floor(self.fees)), "source_overlap": str(_floor(self.overlap)),
            "rounding": ROUNDING[self.method],
            "truncated": bool(self.truncated), "truncation": self.truncated,
        }


ROUNDING = {
    "poison": "none: every amount is a whole transfer value",
    "haircut": "down: each amount is its exact share rounded down to the base unit; each total "
               "is the exact total rounded down once",
    "fifo": "none: FIFO moves whole base units (wei, token units)",
}


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


# ---- the three methods on one account's balance (pure) ---------------------------------------

Segments = deque[tuple[int, bool]]
"""FIFO: an account's balance as (amount, tainted) pieces in the order they arrived."""


class _Balance:
    """One account's balance of the asset and the taint in it, under one method."""

    def __init__(self, method: str, prior: int) -> None:
        self.method = method
        self.total = max(prior, 0)
        self.tainted = Fraction(0)
        self.marked = False
        self.hop: int | None = None
        self.queue: Segments = deque([(self.total, False)] if self.total else [])

    def credit(self, value: int, taint: Fraction, pieces: Sequence[tuple[int, bool]],
               hop: int | None) -> None:
        """Add `value` carrying `taint` (FIFO: as `pieces`); `hop` is the hop of the transfer
        when it marks the account (it carries taint; poison: from a marked account)."""
        self.total += value
        if self.method == "fifo":
            for amount, tainted in pieces:
                _push(self.queue, amount, tainted)
        self.tainted += taint
        if hop is not None:
            self.marked = True
            self.hop = hop if self.hop is None else min(self.hop, hop)

    def debit(self, value: int) -> tuple[Fraction, list[tuple[int, bool]]]:
        """Take `value` out: the taint it carries, and (FIFO) the pieces in order."""
        pieces: list[tuple[int, bool]] = []
        if self.method == "poison":
            taint = Fraction(value) if self.marked else Fraction(0)
        elif self.method == "haircut":
            if not self.tainted:
                taint = Fraction(0)
            elif value >= self.total:
                taint = self.tainted
            else:
                taint = self.tainted * value / self.total
            self.tainted -= taint
        else:
            need = value
            while need and self.queue:
                amount, tainted = self.queue.popleft()
                took = min(amount, need)
                pieces.append((took, tainted))
                if took < amount:
                    self.queue.appendleft((amount - took, tainted))
                need -= took
            if need:  # more out than the known balance: history not loaded, clean
                pieces.append((need, False))
            taint = Fraction(sum(a for a, t in pieces if t))
            self.tainted -= taint
        self.total = max(self.total - value, 0)
        return taint, pieces

    def held(self) -> Fraction:
        """Taint still in the balance (poison: the whole balance of a marked account)."""
        if self.method == "poison":
            return Fraction(self.total) if self.marked else Fraction(0)
        return self.tainted


def _push(queue: Segments, amount: int, tainted: bool) -> None:
    if not amount:
        return
    if queue and queue[-1][1] == tainted:
        queue[-1] = (queue[-1][0] + amount, tainted)
    else:
        queue.append((amount, tainted))


def account_taint(method: str, sub: AccountSubgraph) -> EthTaint:
    """Taint from the source transfers (each tainted in full) through the followed accounts,
    in time order. Rows are the transfers out that carry taint (poison: every transfer out of
    a marked account), fees excluded (their taint is `fees`). At the end, `unspent` is the
    taint still held by followed accounts whose transfers are all known (and by the zero
    address), `beyond` the taint in accounts not followed (past max_hops, the row budget) or
    held by one whose transfers were cut; for haircut and FIFO exactly
    tainted_in = unspent + beyond + fees + overlap."""
    sources = {t.id for t in sub.sources}
    balances: dict[str, _Balance] = {}
    rows: list[EthRow] = []
    fees = overlap = outside = burnt = Fraction(0)
    source_value = sum(t.value for t in sub.sources)
    to_zero: list[EthRow] = []
    txids: set[str] = set()

    def balance(account: str) -> _Balance:
        if account not in balances:
            balances[account] = _Balance(method, sub.accounts[account].prior)
        return balances[account]

    everything = {t.id: t for t in (*sub.transfers, *sub.sources)}
    for t in sorted(everything.values(), key=transfer_order):
        taint, pieces, hop, marks = Fraction(0), [(t.value, False)], 0, False
        sender = sub.accounts.get(t.frm)
        covered = sender is not None and sender.covers(t.seq)
        if t.id in sources:  # tainted in full, whatever its sender held
            if covered and t.frm not in sub.source_accounts:
                overlap += balance(t.frm).debit(t.value)[0]
            taint, pieces, hop, marks = Fraction(t.value), [(t.value, True)], 0, True
        elif covered and t.frm in sub.source_accounts:  # all a source account sends
            source_value += t.value
            taint, pieces, hop, marks = Fraction(t.value), [(t.value, True)], 1, True
        elif covered:
            b = balance(t.frm)
            marked, from_hop = b.marked, b.hop
            taint, pieces = b.debit(t.value)
            marks = bool(taint) or (method == "poison" and marked)
            hop = (from_hop or 0) + 1
        row = None
        if t.kind == "fee":  # taint paid as gas stops here; the miner gets clean value
            fees += taint
            taint, pieces, marks = Fraction(0), [(t.value, False)], False
        elif marks and t.id not in sources:
            row = EthRow(t, hop, taint)
            rows.append(row)
            if t.txid:
                txids.add(t.txid)
        recipient = sub.accounts.get(t.to)
        if t.to == ZERO_ADDRESS:
            burnt += taint
            if row is not None:
                to_zero.append(row)
        elif t.to in sub.source_accounts:  # back to a source: counted in full already
            overlap += taint
        elif recipient is not None and recipient.covers(t.seq):
            balance(t.to).credit(t.value, taint, pieces, hop if marks else None)
        else:
            outside += taint
    unspent, beyond = burnt, outside
    for account, b in balances.items():
        if sub.accounts[account].until is None:
            unspent += b.held()
        else:
            beyond += b.held()
    for r in rows:
        r.status = _status(r, sub.accounts, balances)
    for r in to_zero:
        r.status = "unspent"
    return EthTaint(method, sub.asset, rows, source_value, unspent, beyond, fees, overlap,
                    sub.sources, len(txids), source_accounts=sorted(sub.source_accounts))


def poison(sub: AccountSubgraph) -> EthTaint:
    return account_taint("poison", sub)


def haircut(sub: AccountSubgraph) -> EthTaint:
    return account_taint("haircut", sub)


def fifo(sub: AccountSubgraph) -> EthTaint:
    return account_taint("fifo", sub)


def _status(r: EthRow, accounts: dict[str, AccountWindow],
            balances: dict[str, _Balance]) -> Status:
    t = r.transfer
    w = accounts.get(t.to)
    if t.to == ZERO_ADDRESS:
        return "unspent"
    if w is None or not w.covers(t.seq):
        return "beyond"
    held = balances[t.to].held() if t.to in balances else Fraction(0)
    if not held:
        return "spent"
    return "unspent" if w.until is None else "beyond"


# ---- from the graph --------------------------------------------------------------------------


NOWHERE: Final = ""
"""The party of a fee event that is no account (taint/step gives null): no balance, never
followed."""


def transfer_of(r: dict[str, Any]) -> Transfer:
    return Transfer(r["id"], r["kind"], r["from"] or NOWHERE, r["to"] or NOWHERE,
                    int(r["value"]), r["seq"], r.get("txid"), r.get("height"))


def collect_steps(sources: Iterable[Transfer], source_accounts: Iterable[str], asset: str,
                  max_hops: int, max_rows: int,
                  window: Window) -> Steps[tuple[AccountSubgraph, list[str]]]:
    """The accounts within max_hops transfers of the sources, breadth first: hop 1 follows
    the source accounts and the source transfers' recipients, hop k the recipients of the
    transfers out of hop k-1's accounts; each account from the earliest transfer that
    reached it (again from an earlier one when a later hop finds it; a source account from
    the window's start), up to max_rows transfers in all."""
    srcs = tuple(sources)
    src_accounts = frozenset(source_accounts)
    want: dict[str, int] = dict.fromkeys(src_accounts, window.min_seq or 0)
    for s in srcs:
        if s.to != ZERO_ADDRESS and s.to not in src_accounts:
            want[s.to] = min(want.get(s.to, s.seq), s.seq)
    accounts: dict[str, AccountWindow] = {}
    transfers: dict[str, Transfer] = {}
    truncated: list[str] = []
    budget = max_rows
    starved: set[str] = set()
    stopped = 0
    frontier = sorted(want)
    for hop in range(1, max_hops + 1):
        todo = [a for a in frontier if a not in accounts or want[a] < accounts[a].since]
        if not todo:
            break
        reached: set[str] = set()
        i = 0
        while i < len(todo) and budget > 0:
            per_account = min(MAX_ACCOUNT_EVENTS, budget)
            chunk = todo[i:i + max(1, min(FRONTIER_CHUNK, EVENTS_PER_CALL // per_account))]
            i += len(chunk)
            rows = yield ("taint/step", {
                "chain": "ethereum", "asset": asset,
                "frontier": [{"account": a, "seq": want[a]} for a in chunk],
                "max_events": per_account, "max_seq": window.max_seq,
                "until": window.until})
            for r in sorted(rows, key=lambda r: r["account"]):
                limit = min(MAX_ACCOUNT_EVENTS, budget)
                if limit <= 0:  # the budget ran out within this call: not followed
                    starved.add(r["account"])
                    continue
                events = [transfer_of(e) for e in r["events"]]
                until = None
                if len(events) > limit:  # cut: keep whole transactions
                    last = events[limit].seq
                    kept = [e for e in events[:limit] if e.seq < last] or events[:limit]
                    events, until = kept, kept[-1].seq
                prior = from_limbs(r["prior_in"]) - from_limbs(r["prior_out"])
                accounts[r["account"]] = AccountWindow(r["account"], r["seq"], prior, until)
                budget -= len(events)
                for e in events:
                    transfers[e.id] = e
                    if e.frm == r["account"] and e.kind != "fee" and e.to != ZERO_ADDRESS \
                            and e.to not in src_accounts:
                        if e.to not in want or e.seq < want[e.to]:
                            want[e.to] = e.seq
                        reached.add(e.to)
        if i < len(todo):
            starved.update(todo[i:])
        if starved:
            stopped = hop
            break
        frontier = sorted(reached)
    if starved:
        truncated.append(
            f"rows: stopped at max_rows={max_rows} transfers during hop {stopped}; "
            f"{len(starved)} account(s) of that hop were not followed (e.g. {min(starved)}), "
            "nor any beyond, and the taint they received counts as beyond")
    cut = sorted(a for a, w in accounts.items() if w.until is not None)
    if cut:
        truncated.append(
            f"accounts: {len(cut)} account(s) have more transfers than were read "
            f"(at most {MAX_ACCOUNT_EVENTS} each, and the row budget); the taint they held "
            f"after the last one read counts as beyond, e.g. {cut[0]}")
    return AccountSubgraph(asset, srcs, accounts, tuple(transfers.values()), src_accounts), \
        truncated
