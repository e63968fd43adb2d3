"""CoinJoin detection: every rule, threshold and confidence of the CoinJoin guard, in one place.

Why: common-input-ownership is wrong for a collaborative transaction (its inputs belong to
several people), and one undetected CoinJoin can merge thousands of unrelated addresses into a
false "super cluster". Clustering therefore asks `detect` about each transaction and, with the
filter on, does not merge the inputs of a match. Each rule is a structural signature of one
implementation, named and versioned so that a stored clustering says which rules it ran
(`describe`). Rules are tried most specific first; the first match names the kind.

What the rules can and cannot see: a `TxView` holds values, script types and addresses, not
signatures, sequence numbers or coordinator identities, so a rule is a fingerprint of shape,
and a confidence says how often that shape is an ordinary payment in practice. An input whose
spent output is not loaded yet (value and address None) never counts against a rule: checks on
input values use the known ones, and an address-less input counts as a source of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from analysis.heuristics.views import TxView

__all__ = [
    "RULES",
    "RULESET",
    "CoinJoinMatch",
    "CoinJoinRule",
    "describe",
    "detect",
]

RULESET = "coinjoin"
"""Name of this rule set in the stored clustering configuration."""

COIN = 100_000_000

# --- thresholds ------------------------------------------------------------------------------

DUST_VALUES: frozenset[int] = frozenset({546, 2730})
"""Equal values that are dust spam, not an anonymity set: Bitcoin Core's P2PKH dust limit at
the 1,000 sat/kB relay fee (546 sat) and at the 5,000 sat/kB relay fee of late-2015 releases
(2730 sat). BlockSci's two values."""

NULLDATA = "nulldata"
"""Script type of an OP_RETURN output."""

SCRIPT_FAMILY: Mapping[str, str] = {"p2pk": "p2pkh"}
"""A P2PK output pays the P2PKH address of its key: the same wallet family."""

# Whirlpool (Samourai)
WHIRLPOOL_POOLS: Mapping[int, int] = {
    100_000: 5_000,
    1_000_000: 50_000,
    5_000_000: 175_000,
    50_000_000: 1_750_000,
}
"""Pool denomination -> the coordinator fee a tx0 pays to enter it (sat), as Samourai charged."""
WHIRLPOOL_MIX_SIZE = 5
"""Inputs and outputs of every Whirlpool mix."""
WHIRLPOOL_MINER_FEE_MAX = 10_000
"""The largest mining-fee allowance a premix output may carry above the denomination (the
coordinator's `miner-fee-max`: its published pool info shows `mustMixBalanceMax` =
denomination + 10,000 sat). A premix spends its allowance on the mining fee of its first mix."""
WHIRLPOOL_ALLOWANCE_DIVISOR = 100
"""For the large pools the allowance may scale: at most 1% of the denomination."""
TX0_MAX_CHANGE_OUTPUTS = 3
"""Outputs of a tx0 besides the premixes, the OP_RETURN and the pool fee: the user's change
(one, or a few when a wallet splits it); more looks like a batched payment."""

# Wasabi 2 (WabiSabi)
WASABI2_MIN_INPUTS = 20
"""A Wasabi 2 round needs many inputs (coordinators set their minimum well above this)."""
WASABI2_MIN_DENOMINATION = 5_000
"""The smallest output a Wasabi 2 coordinator allows."""
WASABI2_MAX_DENOMINATION = 1_000 * COIN
WASABI2_MIN_STANDARD_SHARE = 0.5
"""Share of outputs at standard denominations. Each participant's amount is decomposed into
standard denominations; what is left is at most one change output per participant, plus one
coordinator output, so at least half of the outputs are standard."""
WASABI2_MIN_REPEATED = 2
"""Distinct standard denominations that appear at least twice: many participants decompose
into the same small denominations, whereas a batched payment with some round amounts (1-2-5 x
10^k are ordinary prices) rarely repeats two of them."""
WASABI2_OUTPUT_TYPES: frozenset[str] = frozenset({"p2wpkh", "p2tr"})
"""Wasabi 2 wallets receive only to P2WPKH and P2TR."""

# Wasabi 1 (ZeroLink)
WASABI1_DENOMINATION_MIN = 8_000_000
WASABI1_DENOMINATION_MAX = 12_000_000
"""The base denomination was about 0.1 BTC and drifted (mainnet block 709632, November 2021,
has a round at 0.10900308 BTC); 0.1 +- 0.02 BTC is the tolerance Dumplings, the Wasabi
authors' CoinJoin scanner, uses. The sorted-outputs test keeps a JoinMarket transaction of
that amount out, so the window need not be tighter."""
WASABI1_MIN_EQUAL = 5
"""Equal outputs at the base denomination (the anonymity set; real rounds had 50 to 100)."""
WASABI1_MIN_INPUTS = 5
WASABI1_OUTPUT_TYPES: frozenset[str] = frozenset({"p2wpkh"})
"""Wasabi 1 was a bech32-only wallet: every output (coordinator fee included) is P2WPKH."""

# JoinMarket
JOINMARKET_MIN_PARTICIPANTS = 3
"""A taker and at least two makers: two-party shapes are left to the generic rule, which
weighs them with its lower confidence."""

# Generic (BlockSci)
GENERIC_MIN_INPUTS = 2
GENERIC_MIN_OUTPUTS = 3

# --- confidences -----------------------------------------------------------------------------

WHIRLPOOL_MIX_CONFIDENCE = 0.95
WHIRLPOOL_TX0_CONFIDENCE = 0.9
WASABI2_CONFIDENCE = 0.9
WASABI1_CONFIDENCE = 0.9
JOINMARKET_CONFIDENCE = 0.8
GENERIC_CONFIDENCE = 0.5


def _wasabi2_denominations() -> frozenset[int]:
    """Wasabi 2's standard amounts: 1, 2, 5 x 10^k, 2^k, 3^k and 2 x 3^k within the bounds."""
    found: set[int] = set()
    for k in range(64):
        for v in (10**k, 2 * 10**k, 5 * 10**k, 2**k, 3**k, 2 * 3**k):
            if WASABI2_MIN_DENOMINATION <= v <= WASABI2_MAX_DENOMINATION:
                found.add(v)
    return frozenset(found)


WASABI2_DENOMINATIONS: frozenset[int] = _wasabi2_denominations()


# --- the rule and match types ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoinJoinRule:
    """One named, versioned signature; `test` is a pure function of the transaction."""

    name: str
    version: int
    confidence: float
    description: str
    test: Callable[[TxView], bool]


@dataclass(frozen=True, slots=True)
class CoinJoinMatch:
    """What `detect` says about a CoinJoin: which rule matched, its version and confidence."""

    kind: str
    version: int
    confidence: float


# --- helpers ---------------------------------------------------------------------------------


def _most_common(values: Iterable[int]) -> tuple[int, int] | None:
    """(value, count) of the most frequent value; on a tie the smallest value, so the answer
    does not depend on output order. None for no values."""
    counts = Counter(values)
    if not counts:
        return None
    value, count = min(counts.items(), key=lambda vc: (-vc[1], vc[0]))
    return value, count


def _input_sources(tx: TxView) -> int:
    """An upper bound on the distinct owners of the inputs: distinct input addresses, plus
    each input without an address (an address-less script or a spent output not loaded)."""
    return len(tx.input_addresses) + sum(1 for i in tx.inputs if i.address is None)


def _inputs_reuse_an_address(tx: TxView) -> bool:
    known = [i.address for i in tx.inputs if i.address is not None]
    return len(known) != len(set(known))


def _pays_an_input(tx: TxView) -> bool:
    """Whether an output goes back to an input address (CoinJoin wallets never reuse)."""
    ins = tx.input_addresses
    return any(o.address is not None and o.address in ins for o in tx.outputs)


def _sorted_by_value(tx: TxView, *, descending_only: bool = False) -> bool:
    """Whether the outputs, in index order, are sorted by value (ties in any order)."""
    values = [o.value for o in sorted(tx.outputs, key=lambda o: o.n)]
    pairs = list(pairwise(values))
    down = all(a >= b for a, b in pairs)
    return down or (not descending_only and all(a <= b for a, b in pairs))


def _family(script_type: str) -> str:
    return SCRIPT_FAMILY.get(script_type, script_type)


def _allowance(denomination: int) -> int:
    """How far above the denomination a premix (or a remixed input) may be."""
    return max(denomination // WHIRLPOOL_ALLOWANCE_DIVISOR, WHIRLPOOL_MINER_FEE_MAX)


def _known_input_values(tx: TxView) -> list[int]:
    return [i.value for i in tx.inputs if i.value is not None]


# --- the rules -------------------------------------------------------------------------------


def _whirlpool_mix(tx: TxView) -> bool:
    """5 inputs, 5 outputs of exactly one pool denomination, no address twice among the
    inputs, each known input between the denomination and the denomination plus the miner-fee
    allowance (a premix paying the fee, or a postmix remixing for free)."""
    if len(tx.inputs) != WHIRLPOOL_MIX_SIZE or len(tx.outputs) != WHIRLPOOL_MIX_SIZE:
        return False
    values = {o.value for o in tx.outputs}
    if len(values) != 1:
        return False
    (denom,) = values
    if denom not in WHIRLPOOL_POOLS:
        return False
    if _inputs_reuse_an_address(tx) or _pays_an_input(tx):
        return False
    top = denom + _allowance(denom)
    return all(denom <= v <= top for v in _known_input_values(tx))


def _tx0_pool(tx: TxView) -> int | None:
    """The pool a tx0 enters, or None: one OP_RETURN, k >= 1 premix outputs of one value just
    above a pool denomination, one output of exactly that pool's fee, and a little change."""
    nulldata = [o for o in tx.outputs if o.script_type == NULLDATA]
    if len(nulldata) != 1:
        return None
    spendable = [o for o in tx.outputs if o.script_type != NULLDATA]
    for denom, fee in WHIRLPOOL_POOLS.items():
        top = denom + _allowance(denom)
        near = [o.value for o in spendable if denom < o.value <= top]
        best = _most_common(near)
        if best is None:
            continue
        _premix, k = best
        if not any(o.value == fee for o in spendable):
            continue
        if len(spendable) - k - 1 <= TX0_MAX_CHANGE_OUTPUTS:  # beside premixes and the fee
            return denom
    return None


def _whirlpool_tx0(tx: TxView) -> bool:
    """Samourai's tx0. The fee output must be exactly the pool's fee: a tx0 whose fee a
    promotional code (SCODE) discounted is not recognised by this rule (documented limit)."""
    return _tx0_pool(tx) is not None


def _wasabi2(tx: TxView) -> bool:
    """>= 20 inputs; every output P2WPKH or P2TR, in descending value order (the coordinator
    sorts them); at least half at standard denominations, two of those repeated."""
    outs = tx.outputs
    if len(tx.inputs) < WASABI2_MIN_INPUTS or not outs:
        return False
    if any(o.script_type not in WASABI2_OUTPUT_TYPES for o in outs):
        return False
    if not _sorted_by_value(tx, descending_only=True):
        return False
    standard = [o.value for o in outs if o.value in WASABI2_DENOMINATIONS]
    if len(standard) < WASABI2_MIN_STANDARD_SHARE * len(outs):
        return False
    repeated = sum(1 for c in Counter(standard).values() if c >= 2)
    return repeated >= WASABI2_MIN_REPEATED


def _wasabi1(tx: TxView) -> bool:
    """>= 5 inputs, every output P2WPKH, outputs sorted by value, the most common output value
    about 0.1 BTC and at least 5 times (participants' equal outputs; change and coordinator fee
    vary). The coordinator sorted the outputs by amount (WalletWasabi's `SortByAmount`,
    ascending; either direction is accepted): that is what tells a round from a JoinMarket
    transaction of the same amount, whose taker shuffles the outputs."""
    if len(tx.inputs) < WASABI1_MIN_INPUTS:
        return False
    if any(o.script_type not in WASABI1_OUTPUT_TYPES for o in tx.outputs):
        return False
    if not _sorted_by_value(tx):
        return False
    best = _most_common(o.value for o in tx.outputs)
    if best is None:
        return False
    value, count = best
    return (WASABI1_DENOMINATION_MIN <= value <= WASABI1_DENOMINATION_MAX
            and count >= WASABI1_MIN_EQUAL)  # fmt: skip


def _joinmarket(tx: TxView) -> bool:
    """n equal outputs (n >= 3 participants), each participant's change beside them (the
    taker's may be absent: 2n or 2n - 1 outputs), at least n input sources. JoinMarket makes
    every participant use the same address type and never reuses addresses, so all outputs
    share one script type and none pays an input address."""
    if len(tx.outputs) < 2 * JOINMARKET_MIN_PARTICIPANTS - 1:
        return False  # too few outputs for n participants: no need to count values
    best = _most_common(o.value for o in tx.outputs)
    if best is None:
        return False
    value, n = best
    if value in DUST_VALUES or n < JOINMARKET_MIN_PARTICIPANTS:
        return False
    if len(tx.outputs) not in (2 * n - 1, 2 * n):
        return False
    if _input_sources(tx) < n:
        return False
    if len({_family(o.script_type) for o in tx.outputs}) != 1:
        return False
    if any(o.script_type == NULLDATA or o.address is None for o in tx.outputs):
        return False
    return not _pays_an_input(tx)


def _generic_equal_output(tx: TxView) -> bool:
    """BlockSci's `isCoinjoin` (Kalodner et al. 2020, `blocksci/heuristics/tx_identification`,
    also GraphSense's): >= 2 inputs and >= 3 outputs; participants = (outputs + 1) // 2 (each
    has an equal output and a change output), no more than the inputs nor the distinct input
    addresses; the most common output value occurs exactly `participants` times and is not
    dust (546 or 2730 sat). BlockSci breaks a tie between most common values by hash-map order;
    here the smallest value wins, so the answer is deterministic (a tie with a dust value then
    refuses the transaction, the cautious side). Inputs without an address each count as a
    distinct address, as BlockSci gives every script its own address object. Version 2 adds
    what BlockSci does not check and the JoinMarket rule does: no output pays an input
    address. A batch payment with its change back to the payer's address matched version 1
    (block 388381: two payments of 111,865 sat), and a wrong match keeps one owner's
    addresses apart."""
    n_in, n_out = len(tx.inputs), len(tx.outputs)
    if n_in < GENERIC_MIN_INPUTS or n_out < GENERIC_MIN_OUTPUTS:
        return False
    participants = (n_out + 1) // 2
    if participants > n_in or participants > _input_sources(tx):
        return False
    if _pays_an_input(tx):  # version 2: CoinJoin wallets never pay back to an input address
        return False
    best = _most_common(o.value for o in tx.outputs)
    if best is None:
        return False
    value, count = best
    return count == participants and value not in DUST_VALUES


RULES: tuple[CoinJoinRule, ...] = (
    CoinJoinRule(
        "whirlpool_mix", 1, WHIRLPOOL_MIX_CONFIDENCE,
        "Whirlpool mix: exactly 5 inputs and 5 outputs, every output exactly one pool "
        "denomination (100k, 1M, 5M or 50M sat), no input address twice, every known input "
        "between the denomination and the denomination plus max(1%, 10,000 sat)",
        _whirlpool_mix,
    ),
    CoinJoinRule(
        "whirlpool_tx0", 1, WHIRLPOOL_TX0_CONFIDENCE,
        "Whirlpool tx0: one OP_RETURN, k >= 1 equal premix outputs of a pool denomination plus "
        "up to max(1%, 10,000 sat), one output of exactly that pool's fee (5k, 50k, 175k, "
        "1.75M sat), at most 3 other outputs",
        _whirlpool_tx0,
    ),
    CoinJoinRule(
        "wasabi2", 1, WASABI2_CONFIDENCE,
        "Wasabi 2: >= 20 inputs, all outputs P2WPKH or P2TR in descending value order, at "
        "least half at standard denominations (1-2-5 x 10^k, 2^k, 3^k, 2 x 3^k from 5,000 sat "
        "to 1,000 BTC), at least two of them repeated",
        _wasabi2,
    ),
    CoinJoinRule(
        "wasabi1", 1, WASABI1_CONFIDENCE,
        "Wasabi 1: >= 5 inputs, all outputs P2WPKH and sorted by value, the most common "
        "output value between 0.08 and 0.12 BTC occurring at least 5 times",
        _wasabi1,
    ),
    CoinJoinRule(
        "joinmarket", 1, JOINMARKET_CONFIDENCE,
        "JoinMarket: the most common output value (not dust) occurs n >= 3 times, 2n or 2n-1 "
        "outputs (equal output and change per participant), >= n distinct input addresses, all "
        "outputs one script type, none paying an input address",
        _joinmarket,
    ),
    CoinJoinRule(
        "generic_equal_output", 2, GENERIC_CONFIDENCE,
        "BlockSci isCoinjoin: >= 2 inputs, >= 3 outputs, participants = (outputs + 1) // 2 "
        "<= inputs and <= distinct input addresses, the most common output value (not 546 or "
        "2730 sat) occurs exactly participants times; and (version 2) no output pays an input "
        "address",
        _generic_equal_output,
    ),
)
"""Every rule, most specific first: the first that matches names the kind."""


def detect(tx: TxView) -> CoinJoinMatch | None:
    """The first rule that matches, or None; a coinbase (no inputs) never matches."""
    if not tx.inputs or not tx.outputs:
        return None
    for rule in RULES:
        if rule.test(tx):
            return CoinJoinMatch(rule.name, rule.version, rule.confidence)
    return None


def describe() -> list[dict[str, object]]:
    """The rules as stored with a clustering: name, version, confidence, description."""
    return [
        {"name": r.name, "version": r.version, "confidence": r.confidence,
         "description": r.description}
        for r in RULES
    ]
