"""The Ethereum branches of trace/*, taint/* and exposure/* (chain 'ethereum'), each stored
query read directly, with exact answers on the hand-built account chain of
tests/analysis/test_eth_trace.py (its docstring draws it). The Bitcoin branches of the same
files are tested in tests/cypher/test_trace.py, tests/analysis/test_taint.py and
tests/analysis/test_exposure.py; here also that a Bitcoin read of an Ethereum graph (and the
other way round) finds nothing."""

from __future__ import annotations

import pytest

from analysis.accounts import ZERO_ADDRESS
from cypher.runner import Graph
from tests.analysis.ethchain import T0, write_chain
from tests.analysis.test_eth_trace import (
    AB,
    BD,
    BF,
    CHAIN,
    DE,
    DG,
    EARLY,
    EH,
    FEE,
    MINT,
    TOK,
    A,
    B,
    C,
    D,
    E,
    F,
    G,
    H,
)
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j

ETH = {"chain": "ethereum"}
LIMBS0 = [0] * 9


def limbs(v: int) -> list[int]:
    return [v % 10**9, *([0] * 8)] if v < 10**9 else pytest.fail("small amounts only")


@pytest.fixture(scope="module")
def eth(graph: Graph) -> Graph:
    wipe(graph)
    write_chain(graph, CHAIN, tags=[(D, "Exchange D", "exchange"), (E, "Mixer E", "mixer"),
                                    (E, "Untyped", None)])  # type: ignore[list-item]
    return graph


def test_trace_start(eth: Graph) -> None:
    assert eth.read("trace/start", {**ETH, "start": A, "kind": "address"}) == [
        {"output": None, "address": A, "value": None, "asset": "ETH", "seq": None,
         "from_address": None}]
    tx = eth.read("trace/start", {**ETH, "start": AB.tx, "kind": "txid"})
    assert [(r["output"], r["from_address"], r["address"], r["value"], r["seq"])
            for r in tx] == [(AB.id, A, B, "100", AB.seq), (BF.id, B, F, "30", BF.seq)]
    assert eth.read("trace/start", {**ETH, "start": BD.tx, "kind": "txid"})[0]["output"] \
        == BD.id  # the fee of that transaction is not a start
    assert eth.read("trace/start", {**ETH, "start": DG.id, "kind": "output"}) == []  # ETH
    assert eth.read("trace/start", {**ETH, "start": DG.id, "kind": "output", "asset": None})[0][
        "asset"] == TOK
    assert eth.read("trace/start", {**ETH, "start": AB.tx, "kind": "txid", "limit": 1,
                                    "min_seq": AB.seq + 1}) == []
    assert eth.read("trace/start", {"start": A, "kind": "address"}) == []  # Bitcoin's


def test_trace_forward_and_backward(eth: Graph) -> None:
    rows = eth.read("trace/forward", {**ETH, "frontier": [
        {"account": B, "seq": AB.seq, "via": AB.id}]})
    assert [(r["from_output"], r["from_address"], r["to_output"], r["to_address"], r["value"],
             r["fanout"], r["kind"], r["height"], r["txid"]) for r in rows] == [
        (AB.id, B, BD.id, D, "70", 2, "native", 12, BD.tx),
        (AB.id, B, BF.id, F, "30", 2, "internal", 10, AB.tx)]  # the largest first
    assert [r["to_tags"] for r in rows] == [
        [{"label": "Exchange D", "category": "exchange", "source": "test"}], []]
    assert [r["to_output"] for r in eth.read("trace/forward", {**ETH, "max_fanout": 1,
            "frontier": [{"account": B, "seq": 0, "via": None}]})] == [BD.id]
    assert [r["to_output"] for r in eth.read("trace/forward", {**ETH, "asset": None,
            "frontier": [{"account": D, "seq": 0, "via": None}]})] == [DG.id, DE.id]  # by asset
    assert eth.read("trace/forward", {**ETH, "min_key": "71".zfill(78),
                                      "frontier": [{"account": B, "seq": 0}]}) == []
    assert eth.read("trace/forward", {**ETH, "max_seq": BD.seq - 1, "frontier": [
        {"account": B, "seq": AB.seq}]})[0]["to_output"] == BF.id
    back = eth.read("trace/backward", {**ETH, "frontier": [
        {"account": B, "seq": BD.seq, "via": BD.id}]})
    assert [(r["to_output"], r["to_address"], r["fanout"]) for r in back] == [
        (AB.id, A, 1)]
    assert [r["to_output"] for r in eth.read("trace/backward", {**ETH, "frontier": [
        {"account": A, "seq": 10**12}]})] == [MINT.id]
    assert eth.read("trace/backward", {**ETH, "min_seq": EARLY.seq + 1, "frontier": [
        {"account": C, "seq": 10**12}]}) == []
    assert eth.read("trace/forward", {"outputs": [f"{'ab' * 32}:0"]}) == []  # Bitcoin's


def test_trace_paths(eth: Graph) -> None:
    (p,) = eth.read("trace/paths", {**ETH, "from": A, "to": H})
    assert p == {"hops": 4, "txids": [AB.tx, BD.tx, DE.tx, EH.tx],
                 "addresses": [A, B, D, E, H], "outputs": [AB.id, BD.id, DE.id, EH.id],
                 "bottleneck_value": "1", "asset": "ETH",
                 "values": [str(t.value) for t in (AB, BD, DE, EH)],
                 "times": [T0 + 12 * t.block for t in (AB, BD, DE, EH)]}
    assert p["values"] == ["100", "70", "60", "1"]
    assert eth.read("trace/paths", {**ETH, "from": A, "to": C}) == []
    assert eth.read("trace/paths", {**ETH, "from": A, "to": G, "asset": None})[0]["asset"] \
        is None
    assert eth.read("trace/paths", {**ETH, "from": A, "to": H, "max_hops": 3}) == []
    assert eth.read("trace/paths", {**ETH, "from": A, "to": H, "max_fanout": 2}) == []
    assert len(eth.read("trace/paths", {**ETH, "from": A, "to": H, "max_fanout": 3})) == 1
    assert eth.read("trace/paths", {**ETH, "from": A, "to": H,
                                    "max_seq": EH.seq - 1}) == []
    assert eth.read("trace/paths", {"from": A, "to": H}) == []  # Bitcoin's


def test_taint_start_and_step(eth: Graph) -> None:
    found = eth.read("taint/start", {**ETH, "sources": [
        {"source": "t", "kind": "txid", "key": AB.tx},
        {"source": "a", "kind": "address", "key": A},
        {"source": "o", "kind": "output", "key": DG.id}], "asset": None})
    assert [(r["source"], r["output"], r["value"], r["address"], r["from_address"],
             r["asset"], r["kind"], r["height"]) for r in found] == [
        ("t", AB.id, "100", B, A, "ETH", "native", 10),
        ("t", BF.id, "30", F, B, "ETH", "internal", 10),
        ("o", DG.id, "1000", G, D, TOK, "erc20", 14),
        ("a", None, None, A, None, None, None, None)]
    (b,) = eth.read("taint/step", {**ETH, "frontier": [{"account": B, "seq": AB.seq}]})
    assert (b["account"], b["seq"], b["prior_in"], b["prior_out"]) == (
        B, AB.seq, LIMBS0, limbs(50))  # B -> C before
    assert [(e["id"], e["from"], e["to"], e["value"], e["kind"]) for e in b["events"]] == [
        (AB.id, A, B, "100", "native"), (BF.id, B, F, "30", "internal"),
        (BD.id, B, D, "70", "native"), (FEE.id, B, None, "7", "fee")]  # gas: to no one
    (cut,) = eth.read("taint/step", {**ETH, "max_events": 1,
                                     "frontier": [{"account": B, "seq": AB.seq}]})
    assert len(cut["events"]) == 2  # one more tells "cut"
    # the miner: its tip (booked on the transaction) before and after, from no account
    (m,) = eth.read("taint/step", {**ETH, "frontier": [{"account": FEE.to, "seq": 0}]})
    assert (m["prior_in"], m["prior_out"]) == (LIMBS0, LIMBS0)
    assert [(e["id"], e["from"], e["to"], e["value"], e["kind"], e["txid"], e["height"])
            for e in m["events"]] == [(f"{FEE.tx}:tip", None, FEE.to, "7", "tip", FEE.tx, 12)]
    (later,) = eth.read("taint/step", {**ETH, "frontier": [{"account": FEE.to,
                                                           "seq": FEE.seq + 1}]})
    assert (later["prior_in"], later["events"]) == (limbs(7), [])
    (tok,) = eth.read("taint/step", {**ETH, "asset": TOK,  # fees are ETH only
                                     "frontier": [{"account": FEE.to, "seq": 0}]})
    assert tok["events"] == []
    assert eth.read("taint/step", {"outputs": [f"{'ab' * 32}:0"]}) == []  # Bitcoin's


def test_exposure_queries(eth: Graph) -> None:
    (r,) = eth.read("exposure/received", {**ETH, "address": B})
    assert (r["output_count"], r["value"], r["value_limbs"], r["outputs"]) == (
        1, None, limbs(100), [{"output": AB.id, "value": "100", "address": A, "cluster_id": A,
                               "seq": AB.seq}])
    (s,) = eth.read("exposure/sent", {**ETH, "address": B, "limit": 2})
    assert (s["output_count"], s["value_limbs"], [o["output"] for o in s["outputs"]]) == (
        3, limbs(150), [BD.id, EARLY.id])  # no fee; the largest two
    assert eth.read("exposure/received", {**ETH, "address": "0x" + "12" * 20}) == []
    (back,) = eth.read("exposure/backward", {**ETH, "frontier": [
        {"key": BD.id, "account": B, "seq": BD.seq}]})
    assert (back["txid"], back["reached"], back["coinbase"], back["party_count"],
            back["total_limbs"], back["parties"]) == (
        BD.id, [BD.id], False, 1, limbs(100),
        [{"output": AB.id, "value": "100", "address": A, "cluster_id": A, "seq": AB.seq}])
    (mint,) = eth.read("exposure/backward", {**ETH, "frontier": [
        {"key": MINT.id, "account": ZERO_ADDRESS, "seq": MINT.seq}]})
    assert mint["coinbase"] is True
    (fwd,) = eth.read("exposure/forward", {**ETH, "max_fanout": 2, "frontier": [
        {"key": AB.id, "account": B, "seq": AB.seq}]})
    assert (fwd["prior_in"], fwd["prior_out"], fwd["party_count"]) == (LIMBS0, limbs(50), 3)
    assert [(p["output"], p["dir"], p["address"], p["kind"]) for p in fwd["parties"]] == [
        (AB.id, "in", A, "native"), (BF.id, "out", F, "internal"),
        (BD.id, "out", D, "native")]
    (fee,) = eth.read("exposure/forward", {**ETH, "frontier": [
        {"key": BD.id, "account": B, "seq": BD.seq}]})  # the fee: out, to no account
    assert [(p["output"], p["dir"], p["address"], p["kind"], p["value"])
            for p in fee["parties"]] == [(BD.id, "out", D, "native", "70"),
                                         (FEE.id, "out", None, "fee", "7")]
    (tip,) = eth.read("exposure/forward", {**ETH, "frontier": [
        {"key": FEE.id, "account": FEE.to, "seq": FEE.seq}]})  # the miner's tip: in
    assert [(p["output"], p["dir"], p["address"], p["kind"]) for p in tip["parties"]] == [
        (f"{FEE.tx}:tip", "in", None, "tip")]
    tags = eth.read("exposure/tags", {**ETH, "addresses": [D, E, B]})
    assert tags == [
        {"address": D, "cluster_id": D, "categories": ["exchange"],
         "address_categories": ["exchange"]},
        {"address": E, "cluster_id": E, "categories": ["mixer", "uncategorized"],
         "address_categories": ["mixer", "uncategorized"]}]
    assert eth.read("exposure/tags", {"addresses": [D]}) == []  # Bitcoin's: no Address D
