"""Per-request DataLoaders: N addresses with their clusters and tags cost one stored query,
whatever N is: batch/addresses returns each address with its cluster and tags, and primes the
cluster and tags loaders with them (those run their own queries only for an address that came
from elsewhere, e.g. a tag's address). Bitcoin addresses and Ethereum accounts (lower-case
keys) have their own loaders (`chain` of batch/addresses and batch/tags).

Their queries go through the app's `Coalescer`, which also puts the lookups of concurrent
requests into one query."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from chaintrail.errors import QueryMemoryLimit, QueryTimeout
from cypher.runner import AsyncGraph

log = logging.getLogger(__name__)

Found = dict[str, dict[str, Any]]
"""Rows of a batch/* query by their address."""

Waiter = tuple[list[str], "asyncio.Future[Found]"]
"""A request's lookups and where their answer goes."""

MAX_KEYS = 1000
"""At most this many addresses in one coalesced query (one request's own may be more)."""


@dataclass
class _Kind:
    """The lookups of one stored query with one set of parameters: those waiting for the
    next query, and how many queries are running."""

    waiting: list[Waiter] = field(default_factory=list)
    running: int = 0


class Coalescer:
    """The address lookups of concurrent requests in one stored query (one per app process).

    Each request's DataLoaders batch that request's lookups, but under many clients (a
    front-end drawing a graph, a team of analysts) every request still cost a query: a third
    of the server's CPU per request went to the driver, and Neo4j ran 32 transactions at once
    on 2 cores, at about three times the CPU per lookup it needs for a few at a time
    (bench/api.py, see docs/benchmarks.md). Here at most `in_flight` queries of a kind run at
    once; lookups that arrive meanwhile wait and go together in the next (at most `MAX_KEYS`
    addresses). An idle server sends a lookup at once.

    Rows do not depend on who asks, and nothing is kept: a lookup only joins a query that
    has not started, so it never gets rows read before it was asked. Each query has its own
    session. When a combined query runs out of time or memory, each request's lookups are
    run again alone, so only the request that asked for the heavy address fails. A slow
    address (a super node) delays the lookups that share its query; the other queries in
    flight go on."""

    def __init__(self, graph: AsyncGraph, *, in_flight: int = 2) -> None:
        self.graph = graph
        self.in_flight = in_flight
        self._kinds: dict[tuple[str, tuple[tuple[str, Any], ...]], _Kind] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def rows(self, name: str, keys: Iterable[str], **params: Any) -> Found:
        """The rows of stored query `name` for these addresses (`addresses` parameter) and
        the other `params`; the result may hold other requests' addresses too."""
        kind_key = (name, tuple(sorted(params.items())))
        kind = self._kinds.setdefault(kind_key, _Kind())
        fut: asyncio.Future[Found] = asyncio.get_running_loop().create_future()
        kind.waiting.append((list(keys), fut))
        if kind.running < self.in_flight:
            kind.running += 1
            task = asyncio.create_task(self._drain(name, params, kind))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await fut

    async def _drain(self, name: str, params: dict[str, Any], kind: _Kind) -> None:
        """Run queries for the waiting lookups until none wait. The first batch is taken
        when the task first runs, so the lookups of the same loop turn go together."""
        try:
            while kind.waiting:
                batch: list[Waiter] = []
                size = 0
                while kind.waiting and (not batch or size + len(kind.waiting[0][0]) <= MAX_KEYS):
                    batch.append(kind.waiting.pop(0))
                    size += len(batch[-1][0])
                await self._run(name, params, batch)
        finally:
            kind.running -= 1

    async def _run(self, name: str, params: dict[str, Any],
                   batch: list[Waiter]) -> None:
        keys = list(dict.fromkeys(k for ks, _ in batch for k in ks))
        try:
            rows = await self.graph.read(name, {"addresses": keys, **params})
        except (QueryTimeout, QueryMemoryLimit) as e:
            if len(batch) == 1:
                _settle(batch[0][1], exception=e)
                return
            log.info("%s for %d requests together: %s; each runs alone", name, len(batch), e)
            await asyncio.gather(*(self._run(name, params, [w]) for w in batch))
            return
        except Exception as e:  # each request's resolver reports it
            for _, fut in batch:
                _settle(fut, exception=e)
            return
        except BaseException:  # cancelled (the app stops): so are the lookups that waited
            for _, fut in batch:
                fut.cancel()
            raise
        found = {r["address"]: r for r in rows}
        for _, fut in batch:
            _settle(fut, found)


def _settle(fut: asyncio.Future[Found], found: Found | None = None, *,
            exception: BaseException | None = None) -> None:
    """Give a waiting lookup its answer, unless its request went away (cancelled)."""
    if fut.done():
        return
    if exception is not None:
        fut.set_exception(exception)
    else:
        fut.set_result(found or {})


class Loaders:
    def __init__(self, coalescer: Coalescer) -> None:
        self.address = DataLoader(self._addresses)
        self.cluster = DataLoader(self._clusters)
        self.tags = DataLoader(self._tags)
        self.account = DataLoader(self._accounts)
        self.account_tags = DataLoader(self._account_tags)
        self.coalescer = coalescer

    async def _by_address(self, name: str, keys: list[str], **params: Any) -> Found:
        return await self.coalescer.rows(name, keys, **params)

    async def _accounts(self, keys: list[str]) -> list[dict[str, Any] | None]:
        found = await self._by_address("batch/addresses", keys, chain="ethereum")
        rows = [found.get(k) for k in keys]  # `found` may hold other requests' accounts
        for k, row in zip(keys, rows, strict=True):
            if row is not None:
                self.account_tags.prime(k, row["tags"])
        return rows

    async def _account_tags(self, keys: list[str]) -> list[list[dict[str, Any]]]:
        found = await self._by_address("batch/tags", keys, chain="ethereum")
        return [found[k]["tags"] if k in found else [] for k in keys]

    async def _addresses(self, keys: list[str]) -> list[dict[str, Any] | None]:
        found = await self._by_address("batch/addresses", keys)
        rows = [found.get(k) for k in keys]  # `found` may hold other requests' addresses
        for k, row in zip(keys, rows, strict=True):
            if row is not None:
                self.cluster.prime(k, {"address": k, "cluster_id": row["cluster_id"],
                                       "size": row["cluster_size"]})
                self.tags.prime(k, row["tags"])
        return rows

    async def _clusters(self, keys: list[str]) -> list[dict[str, Any] | None]:
        found = await self._by_address("batch/clusters", keys)
        return [found.get(k) for k in keys]

    async def _tags(self, keys: list[str]) -> list[list[dict[str, Any]]]:
        found = await self._by_address("batch/tags", keys)
        return [found[k]["tags"] if k in found else [] for k in keys]
