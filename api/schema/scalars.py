"""Exact amounts: satoshi as a string-serialised integer (JavaScript numbers lose precision
above 2^53), with a BTC decimal string as a convenience."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import NewType

import strawberry
from graphql import GraphQLError

Satoshi = NewType("Satoshi", int)


def integer_parser(scalar: str, max_digits: int) -> Callable[[object], int]:
    """The input parser of an amount scalar: an integer, or a string of at most `max_digits`
    decimal digits. Anything else is the client's error (a GraphQLError is reported as such;
    any other exception would be masked as unexpected)."""

    def parse(v: object) -> int:
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, str) and re.fullmatch(rf"-?[0-9]{{1,{max_digits}}}", v):
            return int(v)
        raise GraphQLError(f"{scalar} must be an integer as a decimal string, not {v!r}")

    return parse


parse_satoshi = integer_parser("Satoshi", 30)


SATOSHI = strawberry.scalar(
    name="Satoshi",
    serialize=lambda v: str(int(v)),
    parse_value=parse_satoshi,
    description="An amount in satoshi, as a decimal string (exact in every client).",
)
"""The scalar's definition, mapped to `Satoshi` in the schema's config (root.py)."""


def btc(sat: int | None) -> str | None:
    """Satoshi to a BTC decimal string, exact (8 decimals)."""
    return None if sat is None else f"{Decimal(sat) / Decimal(100_000_000):.8f}"


Amount = NewType("Amount", int)
"""An exact amount in an asset's smallest unit other than satoshi: wei, or a token's base
unit. Wei exceed 2^64, so this is a Python int, serialised as a decimal string."""


parse_amount = integer_parser("Amount", 78)
"""At most 78 digits: the digits of 2^256."""


AMOUNT = strawberry.scalar(
    name="Amount",
    serialize=lambda v: str(int(v)),
    parse_value=parse_amount,
    description="An exact amount in the asset's smallest unit (wei for ETH, a token's base "
                "unit), as a decimal string: exact in every client.",
)
"""Mapped to `Amount` in the schema's config (root.py)."""


def decimal_units(amount: int | None, decimals: int | None) -> str | None:
    """An amount in whole units (ETH: 18 decimals, a token: its own), exact; None when the
    token's decimals are unknown."""
    if amount is None or decimals is None:
        return None
    if decimals == 0:
        return str(amount)
    whole, frac = divmod(abs(amount), 10**decimals)  # integers: no rounding at any size
    sign = "-" if amount < 0 else ""
    return f"{sign}{whole}.{frac:0{decimals}d}"


@strawberry.enum
class Chain(Enum):
    """Which chain a question is about; stored queries take it as `chain`."""

    BITCOIN = "bitcoin"
    ETHEREUM = "ethereum"
