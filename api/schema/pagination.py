"""Relay cursor connections, one generic kind for every list of the API.

A cursor is opaque to clients: base64 of the list's name and an offset. The name includes
what the list belongs to (`members:<cluster id>`, `block-transactions:<hash>`, the filters
of a tag list), so a cursor of another list is refused (InvalidInput) rather than silently
applied. Lists are ordered by a stable key in their stored query, so an offset cursor pages
deterministically while the data stays put (loads only add). A page is asked for with one
row more than `first`, which says whether there is a next page without a count query;
`totalCount` is given where the parent already knows it (a cluster's size, a block's
transaction count) and is null otherwise.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Literal, TypeVar

import strawberry

from chaintrail.errors import LimitError, ParameterError

MAX_PAGE = 100
"""Largest page of any list (`first`)."""

DEFAULT_PAGE = 50
"""`first` when a client does not say (the complexity rule reads it from the schema)."""

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        default=None, description="Items in the whole list, where known without a count "
                                  "query; else null.")


def encode_cursor(list_name: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{list_name}:{offset}".encode()).decode()


def decode_cursor(list_name: str, cursor: str | None) -> int:
    """The offset of the row after `cursor` (0 without one); ParameterError (InvalidInput in
    the schema) for a cursor of another list or a forged one."""
    if cursor is None:
        return 0
    try:
        kind, n = base64.urlsafe_b64decode(cursor.encode()).decode().rsplit(":", 1)
        if kind != list_name or not (n.isascii() and n.isdigit()) or len(n) > 15:
            raise ValueError(cursor)  # no list has 10**15 items: a forged offset
        return int(n) + 1
    except (ValueError, UnicodeError, binascii.Error) as e:
        raise ParameterError(f"after: not a cursor of this list ({list_name}): {cursor!r}") from e


def page_window(list_name: str, first: int, after: str | None) -> tuple[int, int]:
    """(skip, limit) for the stored query: limit is first + 1. LimitError (LimitExceeded)
    when `first` is out of 1..MAX_PAGE."""
    if not 1 <= first <= MAX_PAGE:
        raise LimitError(f"first must be between 1 and {MAX_PAGE}, not {first}")
    return decode_cursor(list_name, after), first + 1


def listed_total(rows: Sequence[dict[str, Any]], skip: int) -> int | None:
    """The whole list's length from a page of a stored query that repeats it in a `total`
    column: 0 for an empty first page, unknown (None) for an empty page past the end."""
    return rows[0]["total"] if rows else (0 if skip == 0 else None)


def connection(list_name: str, rows: Sequence[dict[str, Any]], skip: int, first: int,
               node: Callable[[dict[str, Any]], N],
               total: int | None = None) -> Connection[N]:
    """The page of `rows` (fetched with page_window's limit) as a connection; `total` is the
    whole list's length when the caller knows it."""
    page = rows[:first]
    edges = [Edge(cursor=encode_cursor(list_name, skip + i), node=node(r))
             for i, r in enumerate(page)]
    return Connection(edges=edges, total_count=total, page_info=PageInfo(
        has_next_page=len(rows) > first, has_previous_page=skip > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None))


async def read_page(name: str, first: int, after: str | None,
                    fetch: Callable[[int, int], Awaitable[Sequence[dict[str, Any]]]],
                    node: Callable[[dict[str, Any]], N],
                    total: int | Literal["listed"] | None = None) -> Connection[N]:
    """One page of list `name`: the window is checked before anything is read, `fetch(skip,
    limit)` reads the rows, and they become a connection. `total` is the whole list's length
    where the caller knows it, or "listed" when the rows repeat it in a `total` column."""
    skip, limit = page_window(name, first, after)
    rows = await fetch(skip, limit)
    return connection(name, rows, skip, first, node,
                      listed_total(rows, skip) if total == "listed" else total)


def list_page(name: str, first: int, after: str | None, rows: Sequence[dict[str, Any]],
              node: Callable[[dict[str, Any]], N]) -> Connection[N]:
    """One page of a list already whole in memory (a path, the jobs); its length is the
    total."""
    skip, limit = page_window(name, first, after)
    return connection(name, rows[skip:skip + limit], skip, first, node, total=len(rows))
