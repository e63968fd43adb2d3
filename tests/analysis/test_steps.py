"""The sans-I/O machinery (analysis.steps) without Neo4j: one step generator driven by a sync
and an async fake graph gives the same answer; `finish` refuses steps that need a graph; and
every analytic's bounds tell "too much" (LimitError: the API's LimitExceeded) from
"meaningless" (a plain ParameterError: InvalidInput)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, cast

import pytest

from analysis import exposure, taint, trace
from analysis.steps import Steps, check_limit, finish, returning, run, run_async
from chaintrail.errors import LimitError, ParameterError
from cypher.runner import AsyncGraph, Graph

ROWS = {"lookup/a": [{"n": 1}, {"n": 2}], "lookup/b": [{"n": 40}]}


def summing(names: list[str]) -> Steps[int]:
    total = 0
    for name in names:
        rows = yield (name, {"asked": name})
        total += sum(r["n"] for r in rows)
    part = yield from returning(100)
    return total + part


class FakeGraph:
    def __init__(self) -> None:
        self.asked: list[tuple[str, Mapping[str, Any]]] = []

    def read(self, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        self.asked.append((name, params))
        return [dict(r) for r in ROWS[name]]


class FakeAsyncGraph(FakeGraph):
    async def read(self, name: str, params: Mapping[str, Any]  # type: ignore[override]
                   ) -> list[dict[str, Any]]:
        return FakeGraph.read(self, name, params)


def test_sync_and_async_drivers_give_the_same_answer() -> None:
    sync, asyn = FakeGraph(), FakeAsyncGraph()
    assert run(cast(Graph, sync), summing(["lookup/a", "lookup/b"])) == 143
    assert asyncio.run(run_async(cast(AsyncGraph, asyn),
                                 summing(["lookup/a", "lookup/b"]))) == 143
    assert sync.asked == asyn.asked == [("lookup/a", {"asked": "lookup/a"}),
                                        ("lookup/b", {"asked": "lookup/b"})]


def test_finish_runs_pure_steps_and_refuses_queries() -> None:
    assert finish(summing([])) == 100
    with pytest.raises(TypeError, match="lookup/a"):
        finish(summing(["lookup/a"]))


def test_check_limit() -> None:
    check_limit("k", 1, 3)
    check_limit("k", 3, 3)
    with pytest.raises(LimitError, match="k must be between 1 and 3, not 4"):
        check_limit("k", 4, 3)
    with pytest.raises(ParameterError, match="not 0") as low:
        check_limit("k", 0, 3)
    assert not isinstance(low.value, LimitError)


def _first(steps: Steps[Any]) -> None:
    next(steps)  # a step generator checks its arguments before its first query


OVER: list[tuple[str, Callable[[], object]]] = [
    ("max_hops", lambda: trace.TraceLimits(max_hops=trace.MAX_HOPS + 1)),
    ("max_rows", lambda: trace.TraceLimits(max_rows=trace.MAX_ROWS + 1)),
    ("max_fanout", lambda: trace.TraceLimits(max_fanout=trace.MAX_FANOUT + 1)),
    ("max_start", lambda: trace.TraceLimits(max_start=trace.MAX_START_OUTPUTS + 1)),
    ("max_hops", lambda: _first(trace.paths_steps("a", "b", max_hops=trace.MAX_PATH_HOPS + 1))),
    ("k must", lambda: _first(trace.paths_steps("a", "b", k=trace.MAX_PATHS + 1))),
    ("max_hops", lambda: taint.TaintLimits(max_hops=taint.MAX_HOPS + 1)),
    ("max_rows", lambda: taint.TaintLimits(max_rows=taint.MAX_ROWS + 1)),
    ("sources", lambda: _first(taint.taint_steps(
        "poison", [f"{'ab' * 32}:{n}" for n in range(taint.MAX_SOURCES + 1)]))),
    ("max_hops", lambda: exposure.ExposureLimits(max_hops=exposure.MAX_HOPS + 1)),
    ("max_txs", lambda: exposure.ExposureLimits(max_txs=exposure.MAX_TXS + 1)),
    ("max_fanout", lambda: exposure.ExposureLimits(max_fanout=exposure.MAX_FANOUT + 1)),
    ("max_hops", lambda: _first(exposure.cluster_flows_steps(
        "a", "out", exposure.MAX_HOPS + 1))),
    ("max_rows", lambda: _first(exposure.cluster_flows_steps(
        "a", "out", max_rows=exposure.MAX_ROWS + 1))),
]

MEANINGLESS: list[tuple[str, Callable[[], object]]] = [
    ("max_hops", lambda: trace.TraceLimits(max_hops=0)),
    ("min_value", lambda: trace.TraceLimits(min_value=-1)),
    ("k must", lambda: _first(trace.paths_steps("a", "b", k=0))),
    ("max_rows", lambda: taint.TaintLimits(max_rows=0)),
    ("sources", lambda: _first(taint.taint_steps("poison", []))),
    ("unknown taint method", lambda: _first(taint.taint_steps("lifo", ["a"]))),
    ("max_hops", lambda: exposure.ExposureLimits(max_hops=0)),
    ("direction", lambda: _first(exposure.exposure_steps(
        "a", "sideways", exposure.ExposureLimits()))),  # type: ignore[arg-type]
    ("max_hops", lambda: _first(exposure.cluster_flows_steps("a", "out", 0))),
    ("direction", lambda: _first(exposure.cluster_flows_steps("a", "up"))),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("what", "make"), OVER)
def test_above_a_maximum_is_a_limit_error(what: str, make: Callable[[], object]) -> None:
    with pytest.raises(LimitError, match=what):
        make()


@pytest.mark.parametrize(("what", "make"), MEANINGLESS)
def test_a_meaningless_value_is_a_parameter_error(what: str,
                                                  make: Callable[[], object]) -> None:
    with pytest.raises(ParameterError, match=what) as e:
        make()
    assert not isinstance(e.value, LimitError)
