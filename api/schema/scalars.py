"""Exact amounts: satoshi as a string-serialised integer (JavaScript numbers lose precision
above 2^53), with a BTC decimal string as a convenience."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NewType

import strawberry
from graphql import GraphQLError

Satoshi = NewType("Satoshi", int)


def parse_satoshi(v: object) -> int:
    """An input amount: an integer, or a string of decimal digits. Anything else is the
    client's error (a GraphQLError is reported as such; any other exception would be masked
    as unexpected)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str) and re.fullmatch(r"-?[0-9]{1,30}", v):
        return int(v)
    raise GraphQLError(f"Satoshi must be an integer as a decimal string, not {v!r}")


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
