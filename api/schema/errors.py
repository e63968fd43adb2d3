"""Expected failures, in the schema: a resolver returns one of these instead of raising, so a
client can branch on `__typename`. Anything raised is unexpected: masked and logged."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from chaintrail.errors import (
    AddressError,
    ChaintrailError,
    LimitError,
    NotFound,
    ParameterError,
    QueryMemoryLimit,
    QueryTimeout,
)
from chaintrail.errors import DatabaseUnavailable as Unavailable
from chaintrail.errors import PermissionDenied as Denied

log = logging.getLogger(__name__)

UNAVAILABLE = ("database unavailable: the graph database cannot be reached; try again shortly "
               "(the server log has the detail)")
"""What an API client is told when Neo4j cannot answer: the detail (the database's address,
the driver's words) goes to the server log, not to clients."""


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


@strawberry.type
class PermissionDenied:
    message: str


Problem = (NotFoundError | InvalidAddress | LimitExceeded | InvalidInput | DatabaseUnavailable
           | PermissionDenied)


T = TypeVar("T")


async def or_problem(work: Callable[[], Awaitable[T]]) -> T | Problem:
    """The API's one translation boundary: run a resolver's work; an expected failure (a
    chaintrail error with a schema type) comes back as that type, anything else propagates, to
    be masked for the client and logged."""
    try:
        return await work()
    except ChaintrailError as e:
        problem = as_problem(e)
        if problem is None:
            raise
        return problem


def as_problem(e: ChaintrailError) -> Problem | None:
    """The schema's error for an expected failure, or None (then it is re-raised: masked)."""
    if isinstance(e, NotFound):
        return NotFoundError(message=str(e))
    if isinstance(e, AddressError):
        return InvalidAddress(message=str(e))
    if isinstance(e, QueryTimeout | QueryMemoryLimit | LimitError):
        return LimitExceeded(message=str(e))
    if isinstance(e, Denied):
        return PermissionDenied(message=str(e))
    if isinstance(e, ParameterError):
        return InvalidInput(message=str(e))
    if isinstance(e, Unavailable):
        log.warning("%s", e)
        return DatabaseUnavailable(message=UNAVAILABLE)
    return None
