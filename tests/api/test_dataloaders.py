"""The coalescer under the DataLoaders: concurrent requests' lookups in one stored query, at
most `in_flight` queries at once, and a failure kept to the requests it concerns. The answers
are checked against Neo4j on the clustering test's small chain; the scheduling cases use a
graph whose reads the test releases, so that which lookups wait is not left to timing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.schema import dataloaders
from api.schema.dataloaders import Coalescer, Loaders
from chaintrail.errors import DatabaseUnavailable, QueryTimeout
from chaintrail.settings import Settings
from cypher.registry import Registry
from cypher.runner import AsyncGraph, Graph
from db.driver import open_async_driver
from tests.cypher.test_cluster import ADDR


@pytest.mark.neo4j
def test_concurrent_lookups_share_one_query_and_get_their_rows(
        small: Graph, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # a query slower than SLOW_S is asked again alone: on a busy machine the first one, on a
    # new connection, can be; what is tested here is the sharing
    monkeypatch.setattr(dataloaders, "SLOW_S", 60.0)
    names = sorted(ADDR.values())
    missing = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    asks = [[a] for a in names] + [names[:3], [missing], [names[0], missing], names[:1]]
    want = {r["address"]: r for r in small.read("batch/addresses", {"addresses": names})}
    assert len(want) == len(names) and want[ADDR["A"]]["tags"][0]["label"] == "Exchange A"

    async def run() -> tuple[list[dict[str, Any]], list[str]]:
        driver = await open_async_driver(neo4j_settings)
        graph = AsyncGraph(driver, Registry.load(), database=neo4j_settings.neo4j_database,
                           timeout_s=30)
        ran: list[str] = []
        graph.on_query = ran.append
        try:
            c = Coalescer(graph, in_flight=1)
            found = await asyncio.gather(*(c.rows("batch/addresses", a) for a in asks))
            # another kind (the chain parameter) is another query
            eth = await asyncio.gather(c.rows("batch/addresses", [names[0]], chain="ethereum"),
                                       c.rows("batch/addresses", [names[1]]))
            return [*found, *eth], ran
        finally:
            await driver.close()

    found, ran = asyncio.run(run())
    assert ran == ["batch/addresses"] * 3  # the 16 lookups in one; then one per chain
    for ask, got in zip(asks, found, strict=False):
        assert {a: got.get(a) for a in ask} == {a: want.get(a) for a in ask}
    assert found[-2] == {} and found[-1][names[1]] == want[names[1]]


class HeldGraph:
    """An AsyncGraph stand-in whose reads wait until the test releases them: what each read
    was asked, and how many ran at once."""

    def __init__(self, fail: type[Exception] | None = None, on: str = "") -> None:
        self.asked: list[list[str]] = []
        self.running = self.most = 0
        self.release = asyncio.Event()
        self.fail, self.on = fail, on

    async def read(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        keys = list(params["addresses"])
        self.asked.append(keys)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        if self.fail is not None and self.on in keys:
            raise self.fail(f"{name}: {self.on} is too heavy")
        return [{"address": k, "name": name} for k in keys]


def coalescer(graph: HeldGraph, in_flight: int) -> Coalescer:
    return Coalescer(graph, in_flight=in_flight)  # type: ignore[arg-type]


async def turns(n: int = 3) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def test_lookups_wait_while_in_flight_queries_run_then_go_together() -> None:
    async def run() -> tuple[HeldGraph, list[dict[str, Any]]]:
        g = HeldGraph()
        c = coalescer(g, in_flight=2)
        first = []
        for k in ("a", "b"):  # asked one loop turn apart: each starts its own query
            first.append(asyncio.create_task(c.rows("q", [k])))
            await turns()
        later = [asyncio.create_task(c.rows("q", [k])) for k in ("c", "d", "c", "e")]
        await turns()
        assert g.asked == [["a"], ["b"]]  # the later ones wait
        g.release.set()
        return g, await asyncio.gather(*first, *later)

    g, found = asyncio.run(run())
    assert g.asked == [["a"], ["b"], ["c", "d", "e"]] and g.most == 2
    assert [sorted(f) for f in found] == [["a"], ["b"], *[["c", "d", "e"]] * 4]


def test_a_query_holds_at_most_max_keys_but_a_request_is_never_split(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataloaders, "MAX_KEYS", 3)

    async def run() -> HeldGraph:
        g = HeldGraph()
        g.release.set()
        c = coalescer(g, in_flight=1)
        await asyncio.gather(c.rows("q", ["a", "b"]), c.rows("q", ["c", "d"]),
                             c.rows("q", ["e"]), c.rows("q", ["f", "g", "h", "i"]))
        return g

    assert asyncio.run(run()).asked == [["a", "b"], ["c", "d", "e"], ["f", "g", "h", "i"]]


def test_a_combined_query_out_of_time_is_run_again_for_each_request_alone() -> None:
    async def run() -> tuple[HeldGraph, list[Any]]:
        g = HeldGraph(fail=QueryTimeout, on="heavy")
        c = coalescer(g, in_flight=1)
        tasks = [asyncio.create_task(c.rows("q", ks)) for ks in (["a"], ["heavy", "b"], ["c"])]
        await turns()
        g.release.set()
        return g, await asyncio.gather(*tasks, return_exceptions=True)

    g, (a, heavy, c) = asyncio.run(run())
    assert g.asked == [["a", "heavy", "b", "c"], ["a"], ["heavy", "b"], ["c"]]
    assert sorted(a) == ["a"] and sorted(c) == ["c"]
    assert isinstance(heavy, QueryTimeout) and "heavy is too heavy" in str(heavy)


def test_an_unreachable_database_fails_every_waiting_request_and_later_ones_still_run() -> None:
    async def run() -> tuple[HeldGraph, list[Any], dict[str, Any]]:
        g = HeldGraph(fail=DatabaseUnavailable, on="a")
        c = coalescer(g, in_flight=1)
        tasks = [asyncio.create_task(c.rows("q", [k])) for k in ("a", "b")]
        await turns()
        g.release.set()
        failed = await asyncio.gather(*tasks, return_exceptions=True)
        return g, failed, await c.rows("q", ["b"])

    g, failed, later = asyncio.run(run())
    assert [type(e) for e in failed] == [DatabaseUnavailable, DatabaseUnavailable]
    assert g.asked == [["a", "b"], ["b"]] and sorted(later) == ["b"]


def test_a_request_that_goes_away_leaves_the_others_their_answer() -> None:
    async def run() -> tuple[HeldGraph, dict[str, Any]]:
        g = HeldGraph()
        c = coalescer(g, in_flight=1)
        gone = asyncio.create_task(c.rows("q", ["a"]))
        stays = asyncio.create_task(c.rows("q", ["b"]))
        await turns()
        gone.cancel()
        await turns()
        g.release.set()
        return g, await stays

    g, found = asyncio.run(run())
    assert g.asked == [["a", "b"]] and sorted(found) == ["a", "b"]


def test_each_request_primes_its_own_addresses_only() -> None:
    """The shared query's rows hold other requests' addresses too; a request's cluster and
    tags loaders are primed with its own (priming them all was 5% of the server's CPU)."""

    class Rows(HeldGraph):
        async def read(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
            await super().read(name, params)
            return [{"address": k, "cluster_id": f"c-{k}", "cluster_size": 1, "tags": []}
                    for k in params["addresses"]]

    async def run() -> tuple[Rows, list[Loaders]]:
        g = Rows()
        g.release.set()
        c = coalescer(g, in_flight=1)
        requests = [Loaders(c), Loaders(c)]
        got = await asyncio.gather(requests[0].address.load_many(["a", "b"]),
                                   requests[1].address.load("c"))
        assert [r["address"] for r in got[0]] + [got[1]["address"]] == ["a", "b", "c"]
        # primed: answered from the loaders' caches, with no other query
        assert (await requests[0].cluster.load("b"))["cluster_id"] == "c-b"
        assert await requests[1].tags.load("c") == []
        return g, requests

    g, (one, two) = asyncio.run(run())
    assert g.asked == [["a", "b", "c"]]
    assert sorted(one.cluster.cache_map.cache_map) == sorted(one.tags.cache_map.cache_map) == [
        "a", "b"]
    assert sorted(two.cluster.cache_map.cache_map) == ["c"]


class SlowGraph(HeldGraph):
    """Reads that ask for "slow" wait until the test releases them; the others answer at
    once."""

    async def read(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        keys = list(params["addresses"])
        self.asked.append(keys)
        if "slow" in keys:
            await self.release.wait()
        return [{"address": k} for k in keys]


def test_a_slow_query_gives_its_place_back_and_its_requests_ask_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One caller's super node must not hold up the others (in_flight 1: before, every
    later lookup waited for the slow query)."""
    monkeypatch.setattr(dataloaders, "SLOW_S", 0.05)

    async def run() -> tuple[SlowGraph, list[str]]:
        g = SlowGraph()
        c = coalescer(g, in_flight=1)
        slow = asyncio.create_task(c.rows("q", ["slow"]))
        shared = asyncio.create_task(c.rows("q", ["b"]))  # goes with "slow"
        await turns()
        assert g.asked == [["slow", "b"]]
        order = []
        got = await asyncio.wait_for(shared, 5)  # asked alone after SLOW_S, not waiting
        order.append(sorted(got)[0])
        later = await asyncio.wait_for(c.rows("q", ["c"]), 5)  # the place is free again
        order.append(sorted(later)[0])
        assert not slow.done()
        g.release.set()
        order.append(sorted(await slow)[-1])
        return g, order

    g, order = asyncio.run(run())
    assert order == ["b", "c", "slow"]
    assert g.asked[0] == ["slow", "b"] and sorted(g.asked[1:]) == [["b"], ["c"], ["slow"]]


def test_a_drain_cancelled_before_it_ran_leaves_no_lookup_waiting() -> None:
    async def run() -> tuple[HeldGraph, dict[str, Any]]:
        g = HeldGraph()
        g.release.set()
        c = coalescer(g, in_flight=1)
        lookup = asyncio.create_task(c.rows("q", ["a"]))
        await asyncio.sleep(0)  # the lookup is waiting; its drain has not run yet
        for task in list(c._tasks):
            task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await lookup
        return g, await asyncio.wait_for(c.rows("q", ["b"]), 5)  # the place was given back

    g, found = asyncio.run(run())
    assert g.asked == [["b"]] and sorted(found) == ["b"]
