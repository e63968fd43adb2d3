"""Expected failures, in the schema: a resolver returns one of these instead of raising, so a
client can branch on `__typename`. Anything raised is unexpected: masked and logged."""

from __future__ import annotations

import strawberry

from chaintrail.errors import (
    AddressError,
    ChaintrailError,
    NotFound,
    ParameterError,
    QueryTimeout,
)
from chaintrail.errors import DatabaseUnavailable as Unavailable


@strawberry.type
class NotFoundError:
    message: str


@strawberry.type
class InvalidAddress:
    message: str


@strawberry.type
class LimitExceeded:
    message: str


@strawberry.type
class InvalidInput:
    message: str


@strawberry.type
class DatabaseUnavailable:
    message: str


Problem = NotFoundError | InvalidAddress | LimitExceeded | InvalidInput | DatabaseUnavailable


def as_problem(e: ChaintrailError) -> Problem | None:
    """The schema's error for an expected failure, or None (then it is re-raised: masked)."""
    if isinstance(e, NotFound):
        return NotFoundError(message=str(e))
    if isinstance(e, AddressError):
        return InvalidAddress(message=str(e))
    if isinstance(e, QueryTimeout):
        return LimitExceeded(message=str(e))
    if isinstance(e, ParameterError):
        return InvalidInput(message=str(e))
    if isinstance(e, Unavailable):
        return DatabaseUnavailable(message=f"database unavailable: {e}")
    return None
