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
from collections import deque
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

SLOW_S = 0.2
"""A shared query still running after this long (a super node, a busy server) gives its place
to the lookups that wait, and each of its requests asks alone too (a lookup takes 1-20 ms)."""


@dataclass
class _Kind:
    """The lookups of one stored query with one set of parameters: those waiting for the
    next query, and how many places (of `in_flight`) are taken."""

    waiting: deque[Waiter] = field(default_factory=deque)
    running: int = 0


@dataclass
class _Slot:
    """One place of a kind, given back once: when its drain ends (however it ends) or when
    its query turns out slow."""

    kind: _Kind
    held: bool = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self.kind.running -= 1


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
    session. One caller's heavy address must not hold up the others: a query still running
    after `SLOW_S` gives its place back, and each request in it asks again alone, taking
    whichever answer comes first; a shared query that fails on the time or memory limit is
    run again for each request alone, so only the request that asked for the heavy address
    fails."""

    def __init__(self, graph: AsyncGraph, *, in_flight: int = 2) -> None:
        self.graph = graph
        self.in_flight = in_flight
        self._kinds: dict[tuple[str, tuple[tuple[str, Any], ...]], _Kind] = {}
        self._tasks: set[asyncio.Future[Any]] = set()

    async def rows(self, name: str, keys: Iterable[str], **params: Any) -> Found:
        """The rows of stored query `name` for these addresses (`addresses` parameter) and
        the other `params`; the result may hold other requests' addresses too."""
        kind = self._kinds.setdefault((name, tuple(sorted(params.items()))), _Kind())
        fut: asyncio.Future[Found] = asyncio.get_running_loop().create_future()
        kind.waiting.append((list(keys), fut))
        self._pump(name, params, kind)
        return await fut

    def _keep(self, task: asyncio.Future[Any]) -> None:
        """Hold a task until it ends (the event loop keeps only weak references)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _pump(self, name: str, params: dict[str, Any], kind: _Kind) -> None:
        """Start a drain when lookups wait and a place is free."""
        if kind.waiting and kind.running < self.in_flight:
            kind.running += 1
            slot = _Slot(kind)
            task = asyncio.create_task(self._drain(name, params, kind, slot))
            self._keep(task)
            task.add_done_callback(lambda t: self._ended(t, slot, kind))

    @staticmethod
    def _ended(task: asyncio.Future[Any], slot: _Slot, kind: _Kind) -> None:
        slot.give_back()  # also when the task was cancelled before it first ran
        if task.cancelled():  # the app stops: so do the lookups still waiting
            for _, fut in kind.waiting:
                fut.cancel()
            kind.waiting.clear()

    async def _drain(self, name: str, params: dict[str, Any], kind: _Kind,
                     slot: _Slot) -> None:
        """Run queries for the waiting lookups while some wait and the place is held. The
        first batch is taken when the task first runs, so the lookups of the same loop turn
        go together."""
        while kind.waiting and slot.held:
            batch: list[Waiter] = []
            size = 0
            while kind.waiting and (not batch or size + len(kind.waiting[0][0]) <= MAX_KEYS):
                waiter = kind.waiting.popleft()
                if not waiter[1].done():  # its request went away
                    batch.append(waiter)
                    size += len(waiter[0])
            if batch:
                await self._run(name, params, kind, slot, batch)

    async def _run(self, name: str, params: dict[str, Any], kind: _Kind, slot: _Slot,
                   batch: list[Waiter]) -> None:
        keys = [k for ks, _ in batch for k in ks]
        query = asyncio.ensure_future(self._lookup(name, params, keys))
        self._keep(query)
        query.add_done_callback(lambda q: self._answer(q, batch))
        try:
            done, _ = await asyncio.wait({query}, timeout=SLOW_S)
            if not done:  # slow: its place to the others, and each request asks alone too
                slot.give_back()
                self._pump(name, params, kind)
                if len(batch) > 1:
                    log.info("%s for %d requests together is slow; each asks alone too",
                             name, len(batch))
                    await asyncio.gather(*(self._alone(name, params, w) for w in batch))
                else:
                    await asyncio.wait({query})
            elif (len(batch) > 1 and not query.cancelled()
                  and isinstance(query.exception(), QueryTimeout | QueryMemoryLimit)):
                log.info("%s for %d requests together: %s; each runs alone", name,
                         len(batch), query.exception())
                await asyncio.gather(*(self._alone(name, params, w) for w in batch))
        except BaseException:  # cancelled (the app stops): so are these lookups
            query.cancel()
            for _, fut in batch:
                fut.cancel()
            raise

    async def _lookup(self, name: str, params: dict[str, Any], keys: list[str]) -> Found:
        """One query of stored query `name` for these addresses, its rows by address."""
        rows = await self.graph.read(name, {"addresses": list(dict.fromkeys(keys)), **params})
        return {r["address"]: r for r in rows}

    @staticmethod
    def _answer(query: asyncio.Future[Found], batch: list[Waiter]) -> None:
        """The shared query's answer to the requests still waiting for one. Its time or
        memory error goes only to a request that was alone in it (the others ask alone)."""
        if query.cancelled():
            return
        e = query.exception()
        if e is None:
            found = query.result()
            for _, fut in batch:
                _settle(fut, found)
        elif len(batch) == 1 or not isinstance(e, QueryTimeout | QueryMemoryLimit):
            for _, fut in batch:
                _settle(fut, exception=e)

    async def _alone(self, name: str, params: dict[str, Any], waiter: Waiter) -> None:
        keys, fut = waiter
        if fut.done():
            return
        try:
            found = await self._lookup(name, params, keys)
        except Exception as e:  # the request's resolver reports it
            _settle(fut, exception=e)
            return
        except BaseException:
            fut.cancel()
            raise
        _settle(fut, found)


def _settle(fut: asyncio.Future[Found], found: Found | None = None, *,
            exception: BaseException | None = None) -> None:
    """Give a waiting lookup its answer, unless it has one or its request went away."""
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
