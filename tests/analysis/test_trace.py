"""Tracing on real blocks (bitcoinj 0-438, against its spends facts) and on a generated theft."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import pytest

import analysis.trace as trace_module
from analysis.clustering import ClusterConfig, Clusterer
from analysis.trace import MAX_HOPS, MAX_PATH_HOPS, TraceLimits, paths, trace
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.sources import iter_blocks
from loaders.sample import generate_chain
from tests.handbuilt import block, hx, named_tx, p2pkh, pkh
from tests.helpers import run_cli, wipe, write_blocks

pytestmark = pytest.mark.neo4j

SATOSHI_ADDR = "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"
BLOCK9_COINBASE = "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9"


@pytest.fixture(scope="module")
def bitcoinj(graph: Graph, shared_data: Path) -> dict[str, Any]:
    wipe(graph)
    BitcoinLoader(graph, cluster=False).load(
        [shared_data / "bitcoin/blk/bitcoinj-blocks-0-438.dat"])
    facts = shared_data / "bitcoin/facts/bitcoinj-blocks-0-438.dat.spends.json"
    return dict(json.loads(facts.read_text()))


def facts_forward(facts: dict[str, Any], address: str,
                  hops: int) -> set[tuple[int, str, str, str, int]]:
    """A breadth-first trail computed from the facts file alone: (hop, txid, to_output,
    to_address, value). The start is every output paying `address` in the facts, plus the
    outputs those transactions spend that paid it (the coinbase of block 9 here)."""
    txs = facts["non_coinbase_txs"]
    spender = {f"{i['prev_txid']}:{i['vout']}": t for t in txs for i in t["inputs"]}
    outputs = {f"{t['txid']}:{n}": (t, o) for t in txs for n, o in enumerate(t["outputs"])}
    start = {oid for oid, (_, o) in outputs.items() if o["address"] == address}
    start |= {f"{i['prev_txid']}:{i['vout']}" for t in txs
              for i, a in zip(t["inputs"], t["input_addresses"], strict=True) if a == address}
    seen, frontier, rows = set(start), sorted(start), set()
    for hop in range(1, hops + 1):
        nxt = []
        for oid in frontier:
            t = spender.get(oid)
            if t is None:
                continue
            for n, o in enumerate(t["outputs"]):
                out = f"{t['txid']}:{n}"
                if out not in seen:
                    seen.add(out)
                    rows.add((hop, t["txid"], out, o["address"], o["value_sat"]))
                    nxt.append(out)
        frontier = nxt
    return rows


@pytest.mark.shared
def test_forward_from_the_first_payment_address_matches_the_facts(
        graph: Graph, bitcoinj: dict[str, Any]) -> None:
    result = trace(graph, SATOSHI_ADDR, "forward", TraceLimits(max_hops=6))
    got = {(r["hop"], r["txid"], r["to_output"], r["to_address"], r["value"])
           for r in result.rows}
    assert got == facts_forward(bitcoinj, SATOSHI_ADDR, 6)
    assert {170, 181, 182, 183, 187, 221} <= {r["height"] for r in result.rows}
    # block 170: the first person-to-person payment, 10 BTC to Hal Finney's address
    first = [r for r in result.rows if r["height"] == 170]
    assert [(r["hop"], r["to_address"], r["value"]) for r in first] == [
        (1, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", 1_000_000_000)]
    # 182 -> 221: the 1 BTC paid at 182 moves on at 221, one hop later
    assert [(r["hop"], r["value"]) for r in result.rows if r["height"] == 221] == [
        (2, 100_000_000)]
    assert result.truncated == []


@pytest.mark.shared
def test_backward_from_the_last_output_returns_to_the_coinbase_of_block_9(
        graph: Graph, bitcoinj: dict[str, Any]) -> None:
    last = next(t for t in bitcoinj["non_coinbase_txs"] if t["height"] == 187)
    result = trace(graph, f"{last['txid']}:0", "backward", TraceLimits(max_hops=10))
    trail = [(r["hop"], r["height"], r["to_address"], r["value"]) for r in result.rows]
    assert trail == [
        (1, 187, "13HtsYzne8xVPdGDnmJX8gHgBZerAfJGEf", 100_000_000),
        (2, 183, SATOSHI_ADDR, 2_900_000_000),
        (3, 182, SATOSHI_ADDR, 3_000_000_000),
        (4, 181, SATOSHI_ADDR, 4_000_000_000),
        (5, 170, SATOSHI_ADDR, 5_000_000_000),
    ]
    assert result.rows[-1]["to_output"] == f"{BLOCK9_COINBASE}:0"
    origin = graph.read("lookup/transaction", {"txid": BLOCK9_COINBASE})[0]
    assert (origin["is_coinbase"], origin["height"]) == (True, 9)


@pytest.mark.shared
def test_bounds_and_bad_input(graph: Graph, bitcoinj: dict[str, Any]) -> None:
    one = trace(graph, SATOSHI_ADDR, "forward", TraceLimits(max_hops=1, max_rows=2))
    assert len(one.rows) == 2 and any("max_rows" in t for t in one.truncated)
    small = trace(graph, SATOSHI_ADDR, "forward",
                  TraceLimits(max_hops=6, min_value=500_000_000))
    assert all(r["value"] >= 500_000_000 for r in small.rows)
    assert "298ca2045d17" not in {r["txid"][:12] for r in small.rows}  # a 1 BTC trail
    fan = trace(graph, SATOSHI_ADDR, "forward", TraceLimits(max_hops=1, max_fanout=1))
    assert any("fan-out" in t for t in fan.truncated)
    with pytest.raises(ParameterError, match="max_hops"):
        TraceLimits(max_hops=MAX_HOPS + 1)
    with pytest.raises(ParameterError, match="min_value"):
        TraceLimits(min_value=-1)
    with pytest.raises(NotFound):
        trace(graph, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "forward")
    with pytest.raises(NotFound):
        trace(graph, "ab" * 32, "backward")
    with pytest.raises(ParameterError):
        trace(graph, "not an address!", "forward")


@pytest.mark.shared
def test_cli_trace_json_table_and_graph(bitcoinj: dict[str, Any],
                                        cli_env: dict[str, str]) -> None:
    rows = json.loads(run_cli(cli_env, "trace", "forward", SATOSHI_ADDR, "--max-hops", "2").stdout)
    assert rows["truncated"] is False and {r["hop"] for r in rows["rows"]} == {1, 2}
    g = json.loads(run_cli(cli_env, "trace", "forward", SATOSHI_ADDR, "--max-hops", "2",
                           "--format", "graph-json").stdout)
    ids = {n["id"] for n in g["nodes"]}
    assert SATOSHI_ADDR in ids and len(g["edges"]) == len(rows["rows"])
    assert all(e["source"] in ids and e["target"] in ids and e["value"] > 0 for e in g["edges"])
    table = run_cli(cli_env, "trace", "backward", f"{BLOCK9_COINBASE}:0", "--format", "table")
    assert "backward" in table.stdout
    bad = run_cli(cli_env, "trace", "forward", "1BoatSLRHtKNngkdXEeobR76b53LETtpyX",
                  check=False)
    assert bad.returncode == 1 and "error:" in bad.stderr and "Traceback" not in bad.stderr
    hops = run_cli(cli_env, "trace", "forward", SATOSHI_ADDR, "--max-hops", "99", check=False)
    assert hops.returncode == 1 and "max_hops" in hops.stderr


def test_generated_theft_reaches_the_exchange_through_the_peel_chain(
        graph: Graph, tmp_path: Path) -> None:
    generate_chain(tmp_path, txs=4000, seed=21)
    truth = json.loads((tmp_path / "truth.json").read_text())["theft"]
    wipe(graph)
    BitcoinLoader(graph, cluster=False).load([tmp_path])
    values = {f"{tx.txid}:{o.n}": o.value for sb in iter_blocks(tmp_path)
              for tx in sb.block.txs for o in tx.outputs}
    hops = len(truth["laundering_txids"]) - 1
    result = trace(graph, truth["theft_txid"], "forward",
                   TraceLimits(max_hops=hops, max_rows=100_000, max_fanout=1_000))
    reached = {r["to_output"]: r for r in result.rows}
    for out in truth["cashout_outputs"]:
        assert reached[out]["value"] == values[out]
        assert reached[out]["to_address"] == truth["cashout_address"]
    # walk the trail back from the cash-out: it is the planted route, hop by hop
    by_output = {r["to_output"]: r for r in result.rows}
    route, cur = deque(), by_output[truth["cashout_outputs"][0]]
    while True:
        route.appendleft(cur["txid"])
        prev = by_output.get(cur["from_output"])
        if prev is None:
            break
        cur = prev
    assert list(route) == truth["laundering_txids"][1:]
    assert all(r["value"] == values[r["to_output"]] for r in result.rows)


def test_generated_theft_paths_finds_the_planted_route(graph: Graph, tmp_path: Path) -> None:
    generate_chain(tmp_path, txs=4000, seed=21)
    truth = json.loads((tmp_path / "truth.json").read_text())["theft"]
    wipe(graph)
    BitcoinLoader(graph).load([tmp_path])
    # After the theft: the peel chain, the CoinJoin, the cash-out (10 hops). Paths search at
    # most 8 hops (cypher/trace/paths.cypher), so start at the output the third hop spends.
    route = truth["laundering_txids"][3:]
    assert len(route) <= MAX_PATH_HOPS
    hop = graph.read("lookup/transaction", {"txid": route[0]})[0]
    start = next(i["address"] for i in hop["inputs"]
                 if i["prev_txid"] == truth["laundering_txids"][2])
    found = paths(graph, start, truth["cashout_address"], max_hops=len(route), k=3)
    # One peel of the chain paid the same exchange deposit address directly, so a shorter
    # path (the first hops of the peel chain) comes first; the planted route is among the k.
    planted = [p for p in found["paths"] if p["txids"] == route]
    assert planted and planted[0]["hops"] == len(route)  # (twice: two outputs of one hop)
    assert all(p["addresses"][-1] == truth["cashout_address"] for p in found["paths"])
    assert [p["hops"] for p in found["paths"]] == sorted(p["hops"] for p in found["paths"])
    with pytest.raises(ParameterError, match="max_hops"):
        paths(graph, start, truth["cashout_address"], max_hops=MAX_PATH_HOPS + 1)


def test_a_transaction_reached_from_two_frontier_chunks_keeps_the_smallest_from_output(
        graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """The frontier is read FRONTIER_CHUNK outputs at a time; a transaction spending outputs
    of two chunks keeps the smallest id it was reached from (docs/tracing.md), not the one
    of the chunk read first. Here the chunk read first holds the larger id (f... > d...)."""
    scripts = {n: pkh(i) for i, n in enumerate("WXYZ", 1)}
    tx = named_tx(scripts)
    wipe(graph)
    write_blocks(graph, [
        block(hx("1"), "0" * 64, [tx(hx("a"), [], [(30, "W"), (20, "W")])]),
        block(hx("2"), hx("1"), [tx(hx("b"), [], [(50, "Z")]),
                                 tx(hx("f"), [(hx("a"), 0)], [(29, "X")]),
                                 tx(hx("d"), [(hx("a"), 1)], [(19, "Y")])]),
        block(hx("3"), hx("2"), [tx(hx("e"), [], [(50, "Z")]),
                                 tx(hx("c"), [(hx("f"), 0), (hx("d"), 0)], [(47, "Z")])]),
    ])
    monkeypatch.setattr(trace_module, "FRONTIER_CHUNK", 1)
    rows = trace(graph, p2pkh(scripts["W"]), "forward", TraceLimits(max_hops=2)).rows
    assert [(r["hop"], r["from_output"], r["to_output"]) for r in rows] == [
        (1, f"{hx('a')}:0", f"{hx('f')}:0"), (1, f"{hx('a')}:1", f"{hx('d')}:0"),
        (2, f"{hx('d')}:0", f"{hx('c')}:0")]
    assert rows[2]["from_address"] == p2pkh(scripts["Y"])

    # c spends X and Y together: one entity. A path from one of its addresses to itself, or
    # from the cluster to itself, would start where it ends: none, and a note says why
    Clusterer(graph, ClusterConfig()).rebuild()
    x, y, w = (p2pkh(scripts[n]) for n in "XYW")
    xy = f"cluster:{min(x, y)}"
    for a, b in ((x, xy), (xy, y), (xy, xy)):
        got = paths(graph, a, b)
        assert got["paths"] == [] and got["notes"][0].startswith(
            f"{a} and {b} are one entity (cluster {min(x, y)})")
    assert [p["txids"] for p in paths(graph, w, xy)["paths"]] == [[hx("d")], [hx("f")]]
