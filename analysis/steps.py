"""Analytics without I/O: a step generator yields the stored queries it needs and receives
their rows, so the CLI (a sync Graph) and the API (an AsyncGraph) drive the very same logic.

    def count_steps(address: str) -> Steps[int]:
        rows = yield ("lookup/address", {"address": address})
        return len(rows)

    run(graph, count_steps(a))                # the CLI
    await run_async(async_graph, count_steps(a))  # the API

A step generator composes with `yield from`; a part that needs no query at all (the pure
arithmetic, a test's in-memory fake) is lifted with `returning` and finished with `finish`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

from chaintrail.errors import LimitError, ParameterError
from cypher.runner import AsyncGraph, Graph

T = TypeVar("T")

Request = tuple[str, dict[str, Any]]
"""A stored query to run (name, parameters): what a step generator yields."""
Steps = Generator[Request, list[dict[str, Any]], T]
"""The logic of an analytic without I/O: yields Requests, receives their rows, returns T."""


def run(graph: Graph, steps: Steps[T]) -> T:
    """Drive a step generator with a synchronous Graph."""
    try:
        request = next(steps)
        while True:
            request = steps.send(graph.read(*request))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def run_async(graph: AsyncGraph, steps: Steps[T]) -> T:
    """Drive a step generator with the API's AsyncGraph."""
    try:
        request = next(steps)
        while True:
            request = steps.send(await graph.read(*request))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def returning(value: T) -> Steps[T]:
    """Steps that need no query and give `value`: where a step generator takes a query-backed
    part as an argument, a pure caller passes an answer it already has."""
    yield from ()
    return value


def finish(steps: Steps[T]) -> T:
    """The result of steps that need no query (e.g. every part given by `returning`); a
    request means the caller forgot a graph, so it fails loudly."""
    try:
        request = next(steps)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    steps.close()
    raise TypeError(f"these steps need a graph: they asked for {request[0]!r}")


def check_limit(name: str, value: int, top: int, what: str = "") -> None:
    """1 <= value <= top, for a bound on an analytic's work (hops, rows, fan-out, k). Above
    the maximum is a LimitError (the API's LimitExceeded: the project refuses that much work);
    below 1 a plain ParameterError (a meaningless value, the API's InvalidInput)."""
    if not 1 <= value <= top:
        error = LimitError if value > top else ParameterError
        raise error(f"{name} must be between 1 and {top}{what}, not {value}")
