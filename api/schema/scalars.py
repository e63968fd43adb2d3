"""Exact amounts: satoshi as a string-serialised integer (JavaScript numbers lose precision
above 2^53), with a BTC decimal string as a convenience."""

from __future__ import annotations

from decimal import Decimal
from typing import NewType

import strawberry

Satoshi = NewType("Satoshi", int)

SATOSHI = strawberry.scalar(
    name="Satoshi",
    serialize=lambda v: str(int(v)),
    parse_value=lambda v: int(v),
    description="An amount in satoshi, as a decimal string (exact in every client).",
)
"""The scalar's definition, mapped to `Satoshi` in the schema's config (root.py)."""


def btc(sat: int | None) -> str | None:
    """Satoshi to a BTC decimal string, exact (8 decimals)."""
    return None if sat is None else f"{Decimal(sat) / Decimal(100_000_000):.8f}"
