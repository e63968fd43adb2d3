"""Exact amounts: wei and token units are integers up to 2^256, beyond Neo4j's 64-bit ones.

An amount is stored three ways on a transfer, each for one job:
- `value`: the exact decimal string (what is shown and compared);
- `value_key`: the same zero-padded to 78 digits, so that string order is numeric order
  (`min_value` filters compare keys);
- `limbs`: nine base-10^9 digits, least significant first, so that a stored query can add
  amounts exactly: sum each limb position (each limb is below 10^9, so 9 * 10^9 of them fit
  in a 64-bit sum), then carry (see cypher/lookup/eth_balances.cypher).
No float ever touches an amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

LIMB_BASE: Final = 10**9
LIMBS: Final = 9
"""9 limbs of 9 digits: 81 digits, enough for 2^256 (78 digits)."""
KEY_DIGITS: Final = 78
MAX_AMOUNT: Final = 2**256 - 1
INT64_MAX: Final = 2**63 - 1
_THREE_LIMBS: Final = LIMB_BASE**3


def limbs(value: int) -> list[int]:
    """`value` as nine base-10^9 limbs, least significant first."""
    if 0 <= value < _THREE_LIMBS:  # most amounts (below 10^9 ETH): two divisions, not nine
        high, low = divmod(value, LIMB_BASE)
        top, mid = divmod(high, LIMB_BASE)
        return [low, mid, top, 0, 0, 0, 0, 0, 0]
    if not 0 <= value <= MAX_AMOUNT:
        raise ValueError(f"amount {value} is outside 0..2^256-1")
    out = []
    for _ in range(LIMBS):
        value, limb = divmod(value, LIMB_BASE)
        out.append(limb)
    return out


def from_limbs(parts: Sequence[int]) -> int:
    """The integer of limbs (any length; limbs may exceed the base before carrying)."""
    total = 0
    for limb in reversed(parts):
        total = total * LIMB_BASE + limb
    return total


def value_key(value: int) -> str:
    """The amount zero-padded to 78 digits: comparing keys as strings compares amounts."""
    if not 0 <= value <= MAX_AMOUNT:
        raise ValueError(f"amount {value} is outside 0..2^256-1")
    return str(value).zfill(KEY_DIGITS)


def amount_fields(value: int) -> dict[str, object]:
    """The three stored forms of one amount."""
    return {"value": str(value), "value_key": value_key(value), "limbs": limbs(value)}


