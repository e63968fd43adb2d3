"""Change-output heuristics: which output of a transaction went back to the sender.

Why each is named and versioned: change heuristics are error-prone (Meiklejohn et al. 2013;
BlockSci, Kalodner et al. 2020), so clustering computes all of them as annotations, merges only
with the ones the investigator chose, and records `name@version` with every link it makes. A
rule answers an output index only when it decides: no candidate or several candidates is None.

Every rule needs at least one input and two outputs with addresses, and never names an output
without an address (OP_RETURN, bare multisig): such an output cannot join a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from analysis.heuristics.views import OutputView, TxView
from chaintrail.errors import ConfigError

__all__ = [
    "HEURISTICS",
    "ROUND_SAT",
    "ChangeHeuristic",
    "annotate",
    "is_round",
    "parse_names",
]

ROUND_SAT = 100_000
"""A payment amount is "round" when it is a multiple of 0.001 BTC: people and price lists pick
round amounts, change is whatever is left."""

NULLDATA = "nulldata"

SCRIPT_FAMILY = {"p2pk": "p2pkh"}
"""P2PK and P2PKH come from the same (old) wallets: one family for one-time change."""

MIN_ADDRESSED_OUTPUTS = 2


@dataclass(frozen=True, slots=True)
class ChangeHeuristic:
    """One rule: `find` returns the change output's index n, or None when it does not decide."""

    name: str
    version: int
    description: str
    find: Callable[[TxView], int | None]

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"


def _addressed(tx: TxView) -> list[OutputView]:
    return [o for o in tx.outputs if o.address is not None]


def _applies(tx: TxView) -> bool:
    """The common precondition: an input to compare with, and a choice between outputs."""
    return bool(tx.inputs) and len(_addressed(tx)) >= MIN_ADDRESSED_OUTPUTS


def _only(candidates: list[OutputView]) -> int | None:
    return candidates[0].n if len(candidates) == 1 else None


def _family(script_type: str | None) -> str | None:
    return None if script_type is None else SCRIPT_FAMILY.get(script_type, script_type)


def is_round(value: int) -> bool:
    """A multiple of ROUND_SAT (0.001 BTC)."""
    return value % ROUND_SAT == 0


def _address_reuse(tx: TxView) -> int | None:
    """The one output paying an input address: a wallet that reuses addresses sends change back
    to where the coins came from."""
    if not _applies(tx):
        return None
    ins = tx.input_addresses
    return _only([o for o in _addressed(tx) if o.address in ins])


def _one_time_change(tx: TxView) -> int | None:
    """The one output to an address seen only here (fresh), not an input address, of the
    inputs' single script family, with a non-round value: wallets make a fresh change address
    of their own type; a payee's address is often older or of another type."""
    if not _applies(tx):
        return None
    families = {_family(i.script_type) for i in tx.inputs}
    if len(families) != 1:
        return None
    (family,) = families
    if family is None:
        return None
    ins = tx.input_addresses
    return _only([
        o for o in _addressed(tx)
        if o.address_outputs == 1 and o.address not in ins
        and _family(o.script_type) == family and not is_round(o.value)
    ])


def _optimal_change(tx: TxView) -> int | None:
    """The one output smaller than every input: a wallet would not spend an input it did not
    need, so an output smaller than each input is what came back (needs every input value).
    Every value-carrying output counts as a candidate, so an address-less one that is also
    smaller makes the rule undecided rather than naming the other."""
    if not _applies(tx) or not tx.resolved:
        return None
    smallest = min(i.value for i in tx.inputs if i.value is not None)
    smaller = [o for o in tx.outputs if o.script_type != NULLDATA and o.value < smallest]
    if len(smaller) != 1 or smaller[0].address is None:
        return None
    return smaller[0].n


def _power_of_ten(tx: TxView) -> int | None:
    """Of exactly two outputs (both with addresses; an OP_RETURN aside), one round and one not:
    the round one is the payment, the other the change."""
    if not _applies(tx):
        return None
    spendable = [o for o in tx.outputs if o.script_type != NULLDATA]
    if len(spendable) != MIN_ADDRESSED_OUTPUTS or any(o.address is None for o in spendable):
        return None
    rest = [o for o in spendable if not is_round(o.value)]
    return rest[0].n if len(rest) == 1 else None


HEURISTICS: dict[str, ChangeHeuristic] = {
    h.name: h
    for h in (
        ChangeHeuristic(
            "address_reuse", 1,
            "exactly one output pays an input address: it is the change",
            _address_reuse,
        ),
        ChangeHeuristic(
            "one_time_change", 1,
            "exactly one output pays an address that receives only there, is not an input "
            "address, has the inputs' single script type (P2PK counted as P2PKH) and a value "
            f"that is not a multiple of {ROUND_SAT} sat: it is the change",
            _one_time_change,
        ),
        ChangeHeuristic(
            "optimal_change", 1,
            "exactly one output is smaller than every input (all input values known): it is "
            "the change",
            _optimal_change,
        ),
        ChangeHeuristic(
            "power_of_ten", 1,
            f"exactly two outputs, exactly one a multiple of {ROUND_SAT} sat (the payment): "
            "the other is the change",
            _power_of_ten,
        ),
    )
}
"""Every change heuristic by name."""


def annotate(tx: TxView) -> dict[int, list[str]]:
    """Output n -> sorted 'name@version' of every heuristic that names it as change (all
    heuristics, whether or not they merge; outputs no rule names are left out)."""
    if not _applies(tx):  # every rule's precondition (an input, two addressed outputs)
        return {}
    out: dict[int, list[str]] = {}
    for h in HEURISTICS.values():
        n = h.find(tx)
        if n is not None:
            out.setdefault(n, []).append(h.tag)
    return {n: sorted(tags) for n, tags in sorted(out.items())}


def parse_names(text: str | Iterable[str]) -> tuple[str, ...]:
    """Comma-separated (or listed) heuristic names -> sorted, deduplicated, validated tuple;
    an unknown name is a ConfigError naming it and the known ones. Blank -> ()."""
    items = text.split(",") if isinstance(text, str) else list(text)
    names = {item.strip() for item in items} - {""}
    unknown = sorted(names - HEURISTICS.keys())
    if unknown:
        raise ConfigError(
            f"unknown change heuristic{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}; known: {', '.join(sorted(HEURISTICS))}"
        )
    return tuple(sorted(names))
