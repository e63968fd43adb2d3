"""Taint (poison, haircut, FIFO): hand-computed amounts on a hand-drawn chain, a brute-force
reference on random DAGs, then the same chain and a generated theft through Neo4j.

The hand-drawn chain (values in satoshi; letters are the addresses paid):

    F  (height 0, coinbase)  -> F:0 100 A (the source), F:1 300 B, F:2 45 C, F:3 100 D,
                                F:4 60 E, F:5 272 G
    T1 (height 1, index 1)   [F:1 300, F:0 100]             -> 200 H, 180 I        fee 20
    T2 (height 1, index 2)   [T1:1 180, F:2 45]             -> 120 J, 100 K        fee 5
    T4 (height 2, index 1)   [F:3 100, T2:1 100]            -> 150 L, 40 M         fee 10
    T3 (height 2, index 2)   [T1:0 200, F:4 60, T4:1 40]    -> 100 N, 190 O        fee 10
    T5 (height 3, index 1)   [T2:0 120, T3:1 190, F:5 272]  -> 500 P, 70 Q         fee 12
    T6 (height 4, index 1)   [T5:0 500]                     -> 490 R               fee 10
    T7 (height 4, index 2)   [an output not loaded]         -> 10 Z (unrelated)

T3 is reached at hop 2 (through T1:0) and again at hop 4 (through T4:1, T4 being at hop 3):
breadth-first order would compute it before T4 and miss T4's taint; chain order does not.
With max_hops=3 the subgraph is T1..T5 (T6, spending T5:0, lies beyond: T5:0 is "beyond").
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from analysis.taint import (
    MAX_HOPS,
    MAX_SOURCES,
    Input,
    Output,
    Source,
    Subgraph,
    Taint,
    TaintLimits,
    Transaction,
    chain_order,
    fifo,
    haircut,
    poison,
    source_kind,
    taint,
)
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.model import Block, Tx
from loaders.bitcoin.sources import iter_blocks
from loaders.sample import generate_chain
from tests.handbuilt import TIME, block, hx, named_tx, p2pkh, pkh
from tests.helpers import wipe, write_blocks

NAMES = "ABCDEGHIJKLMNOPQRZ"
S = {name: pkh(i + 1) for i, name in enumerate(NAMES)}
ADDR = {name: p2pkh(s) for name, s in S.items()}
F, T1, T2, T3, T4, T5, T6, T7 = (hx(c) for c in ("f0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"))
UNLOADED = hx("0f")
TXNAME = {F: "F", T1: "T1", T2: "T2", T3: "T3", T4: "T4", T5: "T5", T6: "T6"}

# txid -> (height, index, inputs as (txid, n), outputs as (value, address letter))
CHAIN: dict[str, tuple[int, int, list[tuple[str, int]], list[tuple[int, str]]]] = {
    F: (0, 0, [], [(100, "A"), (300, "B"), (45, "C"), (100, "D"), (60, "E"), (272, "G")]),
    T1: (1, 1, [(F, 1), (F, 0)], [(200, "H"), (180, "I")]),
    T2: (1, 2, [(T1, 1), (F, 2)], [(120, "J"), (100, "K")]),
    T4: (2, 1, [(F, 3), (T2, 1)], [(150, "L"), (40, "M")]),
    T3: (2, 2, [(T1, 0), (F, 4), (T4, 1)], [(100, "N"), (190, "O")]),
    T5: (3, 1, [(T2, 0), (T3, 1), (F, 5)], [(500, "P"), (70, "Q")]),
    T6: (4, 1, [(T5, 0)], [(490, "R")]),
    T7: (4, 2, [(UNLOADED, 3)], [(10, "Z")]),  # spends an output whose block is not loaded
}
SOURCE = f"{F}:0"


def value_of(txid: str, n: int) -> int:
    return CHAIN[txid][3][n][0]


def spent(txid: str, n: int) -> bool:
    return any((txid, n) in ins for _, _, ins, _ in CHAIN.values())


def hand_subgraph() -> Subgraph:
    """T1..T5 as taint/step would return them with max_hops=3, given in a scrambled order."""
    txs = tuple(
        Transaction(t, tuple(Input(f"{p}:{n}", value_of(p, n)) for p, n in ins),
                    tuple(Output(n, v, ADDR[a], spent(t, n)) for n, (v, a) in enumerate(outs)),
                    height, index)
        for t in (T5, T3, T1, T4, T2) for height, index, ins, outs in [CHAIN[t]])
    return Subgraph((Source(SOURCE, 100, spent=True),), txs)


# (transaction, vout, hop, tainted_value, status), in chain order: T1, T2, T4, T3, T5
POISON_ROWS = [
    # every output of a transaction with a tainted input, in full
    ("T1", 0, 1, 200, "spent"), ("T1", 1, 1, 180, "spent"),
    ("T2", 0, 2, 120, "spent"), ("T2", 1, 2, 100, "spent"),
    ("T4", 0, 3, 150, "unspent"), ("T4", 1, 3, 40, "spent"),
    ("T3", 0, 2, 100, "unspent"), ("T3", 1, 2, 190, "spent"),   # hop 2: via T1:0
    ("T5", 0, 3, 500, "beyond"), ("T5", 1, 3, 70, "unspent"),
]
# leaves: T4:0 150 + T3:0 100 + T5:1 70 = 320 unspent, T5:0 500 beyond; fees 20+5+10+10+12
POISON_TOTALS = {"tainted_in": 100, "tainted_out": 820, "tainted_unspent": 320,
                 "tainted_beyond": 500, "tainted_fees": 57, "source_overlap": 0}

HAIRCUT_ROWS = [
    # T1: tainted in 100 of 400 -> x 1/4: 200 -> 50, 180 -> 45, fee 20 -> 5
    ("T1", 0, 1, 50, "spent"), ("T1", 1, 1, 45, "spent"),
    # T2: 45 (T1:1) of 180 + 45 = 225 -> x 1/5: 120 -> 24, 100 -> 20, fee 5 -> 1
    ("T2", 0, 2, 24, "spent"), ("T2", 1, 2, 20, "spent"),
    # T4: 20 (T2:1) of 100 + 100 = 200 -> x 1/10: 150 -> 15, 40 -> 4, fee 10 -> 1
    ("T4", 0, 3, 15, "unspent"), ("T4", 1, 3, 4, "spent"),
    # T3: 50 (T1:0) + 4 (T4:1, computed first) = 54 of 300 -> x 9/50: 100 -> 18,
    #     190 -> 34.2 (reported 34, rounded down), fee 10 -> 1.8
    ("T3", 0, 2, 18, "unspent"), ("T3", 1, 2, 34, "spent"),
    # T5: 24 (T2:0) + 34.2 (T3:1) = 58.2 of 120 + 190 + 272 = 582 -> x 1/10: 500 -> 50,
    #     70 -> 7, fee 12 -> 1.2
    ("T5", 0, 3, 50, "beyond"), ("T5", 1, 3, 7, "unspent"),
]
# leaves: 15 + 18 + 7 = 40 unspent, 50 beyond; fees 5 + 1 + 1 + 1.8 + 1.2 = 10; 90 + 10 = 100
HAIRCUT_TOTALS = {"tainted_in": 100, "tainted_out": 90, "tainted_unspent": 40,
                  "tainted_beyond": 50, "tainted_fees": 10, "source_overlap": 0}

FIFO_ROWS = [
    # T1 line: F:1 [0,300) clean, F:0 [300,400) tainted. T1:0 [0,200) gets none;
    #   T1:1 [200,380) gets [300,380) = 80 (its satoshi 100..180); fee [380,400) = 20
    ("T1", 1, 1, 80, "spent"),
    # T2 line: T1:1 [0,180) tainted [100,180), F:2 [180,225). T2:0 [0,120) gets [100,120) = 20;
    #   T2:1 [120,220) gets [120,180) = 60 (its first 60); fee [220,225) clean
    ("T2", 0, 2, 20, "spent"), ("T2", 1, 2, 60, "spent"),
    # T4 line: F:3 [0,100), T2:1 [100,200) tainted [100,160). T4:0 [0,150) gets [100,150) = 50;
    #   T4:1 [150,190) gets [150,160) = 10; fee [190,200) clean
    ("T4", 0, 3, 50, "unspent"), ("T4", 1, 3, 10, "spent"),
    # T3 line: T1:0 [0,200) clean, F:4 [200,260), T4:1 [260,300) tainted [260,270).
    #   T3:0 [0,100) none; T3:1 [100,290) gets 10. Hop 4: taint came through T4:1 only
    ("T3", 1, 4, 10, "spent"),
    # T5 line: T2:0 [0,120) tainted [100,120); T3:1 [120,310) tainted [280,290); F:5.
    #   T5:0 [0,500) gets 20 + 10 = 30; T5:1 [500,570) none; fee [570,582) clean
    ("T5", 0, 3, 30, "beyond"),
]
# leaves: T4:0 50 unspent, T5:0 30 beyond; fee: T1's 20; 80 + 20 = 100
FIFO_TOTALS = {"tainted_in": 100, "tainted_out": 80, "tainted_unspent": 50,
               "tainted_beyond": 30, "tainted_fees": 20, "source_overlap": 0}

EXPECTED = {"poison": (POISON_ROWS, POISON_TOTALS), "haircut": (HAIRCUT_ROWS, HAIRCUT_TOTALS),
            "fifo": (FIFO_ROWS, FIFO_TOTALS)}
METHODS = {"poison": poison, "haircut": haircut, "fifo": fifo}


def summary(result: Taint) -> tuple[list[tuple[str, int, int, int, str]], dict[str, int]]:
    d = result.as_dict()
    rows = [(TXNAME[r["txid"]], r["vout"], r["hop"], r["tainted_value"], r["status"])
            for r in d["rows"]]
    return rows, {k: d[k] for k in POISON_TOTALS}


# ---- (1) the hand-drawn chain, pure -------------------------------------------------------------

@pytest.mark.parametrize("method", ["poison", "haircut", "fifo"])
def test_hand_drawn_chain(method: str) -> None:
    result = METHODS[method](hand_subgraph())
    assert summary(result) == EXPECTED[method]
    assert result.truncated == []
    by = {r.output: r for r in result.rows}
    assert all(r.value == value_of(r.txid, r.vout) for r in result.rows)
    assert by[f"{T4}:0"].address == ADDR["L"] and by[f"{T4}:0"].height == 2
    if method == "haircut":
        assert by[f"{T3}:1"].exact == Fraction(171, 5)  # 34.2
        assert by[f"{T5}:0"].exact == 50
        assert [f.tainted_fee for f in result.flows] == [5, 1, 1, Fraction(9, 5), Fraction(6, 5)]


def test_chain_order_puts_unplaced_last_and_parents_first() -> None:
    def t(txid: str, height: int | None, index: int | None, *spends: str) -> Transaction:
        return Transaction(txid, tuple(Input(f"{s}:0", 1) for s in spends), (Output(0, 1),),
                           height, index)
    txs = [t("d", None, None, "z"), t("z", None, None, "b"), t("b", 2, 1, "a"),
           t("c", 1, 5), t("a", 1, 7, "c"), t("e", 2, 0)]
    # placed by (height, index); unplaced last by txid, but d spends z, so z first
    assert [x.txid for x in chain_order(txs)] == ["c", "a", "e", "b", "z", "d"]


def test_overlapping_sources_count_in_full_and_the_overlap_is_reported() -> None:
    sub = hand_subgraph()
    # T1:1 is a source too: haircut would give it 45; it is tainted in full (180) instead
    sub = Subgraph((*sub.sources, Source(f"{T1}:1", 180, spent=True)), sub.txs)
    result = haircut(sub)
    assert f"{T1}:1" not in {r.output for r in result.rows}
    d = result.as_dict()
    # T2: 180 of 225 -> x 4/5: 120 -> 96, 100 -> 80, fee 4
    assert [(TXNAME[r["txid"]], r["vout"], r["tainted_value"]) for r in d["rows"][:3]] == [
        ("T1", 0, 50), ("T2", 0, 96), ("T2", 1, 80)]
    assert (d["tainted_in"], d["source_overlap"]) == (280, 45)
    assert result.source_value == result.unspent + result.beyond + result.fees + result.overlap


def test_unloaded_input_values_stop_haircut_and_fifo_but_not_poison() -> None:
    sub = hand_subgraph()
    t2 = next(t for t in sub.txs if t.txid == T2)
    blind = Transaction(T2, (t2.inputs[0], Input(f"{F}:2", None)), t2.outputs, 1, 2)
    sub = Subgraph(sub.sources, tuple(blind if t.txid == T2 else t for t in sub.txs))
    for method in ("haircut", "fifo"):
        result = METHODS[method](sub)
        assert T2 not in {r.txid for r in result.rows}
        assert "not loaded" in result.truncated[0] and T2 in result.truncated[0]
        assert result.as_dict()["truncated"] is True
        assert next(r for r in result.rows if r.output == f"{T1}:1").status == "beyond"
    assert summary(poison(sub))[0] == POISON_ROWS  # poison marks without values


def test_bad_parameters() -> None:
    with pytest.raises(ParameterError, match="max_hops"):
        TaintLimits(max_hops=0)
    with pytest.raises(ParameterError, match="max_hops"):
        TaintLimits(max_hops=MAX_HOPS + 1)
    with pytest.raises(ParameterError, match="max_rows"):
        TaintLimits(max_rows=-5)
    with pytest.raises(ParameterError, match="negative"):
        poison(Subgraph((Source("x:0", -1),), ()))
    with pytest.raises(ParameterError, match="negative"):
        fifo(Subgraph((Source("x:0", 5),), (Transaction("y", (Input("x:0", 5),),
                                                               (Output(0, -2),)),)))
    assert source_kind("AB" * 32 + ":007") == ("output", "ab" * 32 + ":7")
    assert source_kind("AB" * 32) == ("txid", "ab" * 32)
    assert source_kind("cluster:" + ADDR["A"]) == ("cluster", ADDR["A"])
    assert source_kind(ADDR["A"]) == ("address", ADDR["A"])
    for bad in ("not an address!", "cluster:", "cluster:a b", ""):
        with pytest.raises(ParameterError, match="source"):
            source_kind(bad)


# ---- (2) brute force on random DAGs -------------------------------------------------------------

def random_dag(rng: random.Random) -> tuple[Subgraph, list[Transaction]]:
    """A small random chain over tiny values; returns the subgraph (transactions shuffled) and
    the transactions in the order they were made (a valid chain order)."""
    utxo = [(f"fund{k}:0", rng.randint(0, 12)) for k in range(rng.randint(2, 6))]
    values = dict(utxo)
    made: list[Transaction] = []
    placed = rng.randint(3, 9)
    for j in range(placed + rng.randint(0, 2)):
        if not utxo:
            break
        picked = rng.sample(utxo, rng.randint(1, min(4, len(utxo))))
        utxo = [u for u in utxo if u not in picked]
        total = sum(v for _, v in picked)
        fee = rng.randint(0, min(3, total))
        cuts = sorted(rng.randint(0, total - fee) for _ in range(rng.randint(1, 4) - 1))
        outs = [b - a for a, b in zip([0, *cuts], [*cuts, total - fee], strict=True)]
        txid = f"{rng.getrandbits(32):08x}"
        height, index = (j // 2, j % 2) if j < placed else (None, None)
        made.append(Transaction(txid, tuple(Input(o, v) for o, v in picked),
                                tuple(Output(n, v) for n, v in enumerate(outs)), height, index))
        for n, v in enumerate(outs):
            values[f"{txid}:{n}"] = v
            utxo.append((f"{txid}:{n}", v))
    spent_in_dag = {i.output for t in made for i in t.inputs}
    beyond = {o for o in values if o not in spent_in_dag and rng.random() < 0.2}
    made = [Transaction(t.txid, t.inputs, tuple(
        Output(o.n, o.value, None, f"{t.txid}:{o.n}" in beyond) for o in t.outputs),
        t.height, t.index) for t in made]
    pool = sorted(values)
    chosen = rng.sample(pool, rng.randint(1, 3)) if rng.random() < 0.3 else \
        rng.sample([o for o in pool if o.startswith("fund")], 1)
    sources = tuple(Source(o, values[o], o in spent_in_dag or o in beyond) for o in chosen)
    shuffled = list(made)
    rng.shuffle(shuffled)
    return Subgraph(sources, tuple(shuffled)), made


def reference(sub: Subgraph, made: list[Transaction], method: str) -> dict[str, tuple[Any, int]]:
    """Output -> (tainted amount, hop) for every output taint reached, sources left out.
    FIFO moves individual satoshi: each output is a list of flags, one per satoshi."""
    src = {s.output: s.value for s in sub.sources}
    sats: dict[str, list[bool]] = {o: [True] * v for o, v in src.items()}
    share: dict[str, Fraction] = {o: Fraction(v) for o, v in src.items()}
    hop = dict.fromkeys(src, 0)
    got: dict[str, tuple[Any, int]] = {}
    for t in made:
        def reached(i: Input) -> bool:
            if i.output in src:
                return True
            if method == "fifo":
                return any(sats.get(i.output, []))
            return (method == "poison" and i.output in hop) or share.get(i.output, 0) > 0
        via = [hop[i.output] for i in t.inputs if reached(i)]
        if not via:
            continue
        line = [b for i in t.inputs for b in sats.get(i.output, [False] * (i.value or 0))]
        total_in = sum(i.value or 0 for i in t.inputs)
        t_in = sum((share.get(i.output, Fraction(0)) for i in t.inputs), Fraction(0))
        pos = 0
        for o in t.outputs:
            oid = f"{t.txid}:{o.n}"
            part = line[pos:pos + o.value]
            pos += o.value
            if oid in src:
                continue
            if method == "poison":
                amount: Any = o.value
            elif method == "haircut":
                amount = t_in * o.value / total_in if total_in else Fraction(0)
            else:
                amount = sum(part)
            if method != "poison" and amount == 0:
                continue
            sats[oid], share[oid], hop[oid] = part, Fraction(amount), 1 + min(via)
            got[oid] = (amount, 1 + min(via))
    return got


@pytest.mark.parametrize("method", ["poison", "haircut", "fifo"])
def test_random_dags_against_brute_force(method: str) -> None:
    rng = random.Random(4)
    for _ in range(50):
        sub, made = random_dag(rng)
        result = METHODS[method](sub)
        assert {r.output: (r.exact, r.hop) for r in result.rows} == reference(sub, made, method)
        assert all(r.tainted_value == int(r.exact) <= r.value for r in result.rows)
        order = [t.txid for t in chain_order(sub.txs)]
        assert all(order.index(i.output.split(":")[0]) < order.index(t.txid)
                   for t in sub.txs for i in t.inputs if not i.output.startswith("fund")
                   and i.output.split(":")[0] in order)
        if method != "poison":  # conservation: per transaction and overall, exactly
            for f in result.flows:
                assert f.tainted_out <= f.tainted_in
                assert f.tainted_out + f.tainted_fee == f.tainted_in and f.tainted_fee >= 0
            assert result.source_value == (result.unspent + result.beyond + result.fees
                                           + result.overlap)


# ---- (3) the hand-drawn chain through Neo4j -----------------------------------------------------

def hand_blocks() -> list[Block]:
    """The chain above as blocks, a coinbase first in each block after the first."""
    tx = named_tx(S)
    heights: dict[int, list[Tx]] = {}
    for txid, (height, _, ins, outs) in CHAIN.items():
        heights.setdefault(height, []).append(tx(txid, ins, outs))
    blocks, prev = [], "0" * 64
    for h in sorted(heights):
        coinbase = [] if h == 0 else [tx(hx(f"c{h}"), [], [(50, "Z")])]
        txs = coinbase + sorted(heights[h], key=lambda t: CHAIN[t.txid][1])
        blocks.append(block(hx(f"b{h}"), prev, txs, time=TIME + h))
        prev = hx(f"b{h}")
    return blocks


@pytest.fixture(scope="module")
def hand(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, hand_blocks())
    Clusterer(graph, ClusterConfig()).rebuild()  # A and B are spent together by T1
    return graph


@pytest.mark.neo4j
@pytest.mark.parametrize("method", ["poison", "haircut", "fifo"])
def test_hand_drawn_chain_through_neo4j(hand: Graph, method: str) -> None:
    result = taint(hand, method, [SOURCE], TaintLimits(max_hops=3))
    assert summary(result) == EXPECTED[method]
    d = result.as_dict()
    assert (d["method"], d["sources"], d["source_outputs"], d["max_hops"]) == (
        method, [SOURCE], 1, 3)
    assert (d["truncated"], d["truncation"], d["transactions"]) == (False, [], 5)
    assert d["rows"][0]["address"] == ADDR["H" if method != "fifo" else "I"]
    # the address paid by the source is the same source
    assert summary(taint(hand, method, [ADDR["A"]], TaintLimits(max_hops=3))) == EXPECTED[method]


@pytest.mark.neo4j
def test_one_hop_more_reaches_t6(hand: Graph) -> None:
    d = taint(hand, "haircut", [SOURCE], TaintLimits(max_hops=4)).as_dict()
    # T6: 50 (T5:0) of 500 -> x 1/10: 490 -> 49, fee 10 -> 1
    assert d["rows"][-1] == {"hop": 4, "txid": T6, "vout": 0, "address": ADDR["R"],
                             "value": 490, "tainted_value": 49, "status": "unspent",
                             "height": 4}
    assert (d["tainted_unspent"], d["tainted_beyond"], d["tainted_fees"]) == (40 + 49, 0, 11)


@pytest.mark.neo4j
def test_cluster_sources_and_bounds(hand: Graph) -> None:
    ab = min(ADDR["A"], ADDR["B"])
    d = taint(hand, "haircut", [f"cluster:{ab}"], TaintLimits(max_hops=1)).as_dict()
    # F:0 and F:1 both: T1 is tainted in full (400 of 400)
    assert (d["source_outputs"], d["tainted_in"]) == (2, 400)
    assert [(r["vout"], r["tainted_value"], r["status"]) for r in d["rows"]] == [
        (0, 200, "beyond"), (1, 180, "beyond")]
    assert (d["tainted_out"], d["tainted_fees"]) == (380, 20)
    # an address in no cluster is its own: N's output is unspent, so nothing moves
    alone = taint(hand, "fifo", [f"cluster:{ADDR['N']}"], TaintLimits(max_hops=2)).as_dict()
    assert (alone["rows"], alone["tainted_in"], alone["tainted_unspent"]) == ([], 100, 100)
    cut = taint(hand, "poison", [SOURCE], TaintLimits(max_hops=3, max_rows=5)).as_dict()
    # hop 1 (T1, 2 outputs) and hop 2 in chain order: T2 (2 outputs) fits, T3 does not
    assert [TXNAME[r["txid"]] for r in cut["rows"]] == ["T1", "T1", "T2", "T2"]
    assert cut["truncated"] is True and "max_rows=5" in cut["truncation"][0]
    assert cut["tainted_beyond"] == 200 + 120 + 100  # T1:0, T2:0, T2:1: spent by what was cut


@pytest.mark.neo4j
def test_bad_input(hand: Graph) -> None:
    with pytest.raises(NotFound, match="address"):
        taint(hand, "poison", [p2pkh(pkh(99))])
    with pytest.raises(NotFound, match="output"):
        taint(hand, "poison", [f"{F}:9"])
    with pytest.raises(NotFound, match="txid"):
        taint(hand, "poison", ["ab" * 32])
    with pytest.raises(NotFound, match="cluster"):
        taint(hand, "poison", [f"cluster:{p2pkh(pkh(99))}"])
    with pytest.raises(NotFound, match="not loaded"):
        taint(hand, "haircut", [f"{UNLOADED}:3"])  # only T7's input names it
    with pytest.raises(ParameterError, match="unknown taint method 'lifo'"):
        taint(hand, "lifo", [SOURCE])
    with pytest.raises(ParameterError, match="sources"):
        taint(hand, "poison", [])
    with pytest.raises(ParameterError, match="sources"):
        taint(hand, "poison", [f"{F}:{n}" for n in range(MAX_SOURCES + 1)])


# ---- (4) a generated theft ----------------------------------------------------------------------

@pytest.mark.neo4j
def test_generated_theft_poison_matches_the_truth_within_the_horizon(
        graph: Graph, tmp_path: Path) -> None:
    generate_chain(tmp_path, txs=4000, seed=21)
    truth = json.loads((tmp_path / "truth.json").read_text())["theft"]
    wipe(graph)
    BitcoinLoader(graph, cluster=False).load([tmp_path])
    # The truth's closure is complete, whatever the distance; on this chain it reaches 22
    # spends from the theft. taint stops at max_hops=20, so compare with the part of the truth
    # within 20 spends: each tainted output's distance is 1 + the smallest distance among the
    # tainted or stolen outputs its transaction spends (stolen: 0), walking the blocks in
    # chain order.
    distance = dict.fromkeys(truth["stolen_outputs"], 0)
    for sb in iter_blocks(tmp_path):
        for t in sb.block.txs:
            d = [distance[o] for i in t.inputs if (o := f"{i.prev_txid}:{i.vout}") in distance]
            for o in t.outputs if d else ():
                distance[f"{t.txid}:{o.n}"] = 1 + min(d)
    assert [o for o in distance if distance[o] > 0] == truth["tainted_outputs"]
    assert max(distance.values()) > MAX_HOPS  # so the horizon matters here
    within = [o for o in truth["tainted_outputs"] if distance[o] <= MAX_HOPS]

    limits = TaintLimits(max_hops=MAX_HOPS, max_rows=10_000)
    result = taint(graph, "poison", truth["stolen_outputs"], limits)
    assert [r.output for r in result.rows] == within  # the same outputs, in chain order
    assert all(r.hop == distance[r.output] for r in result.rows)
    assert result.truncated == []
    assert {r.hop for r in result.rows if r.status == "beyond"} == {MAX_HOPS}
    assert result.as_dict()["tainted_in"] == truth["stolen_value"]

    for method in ("haircut", "fifo"):
        flowed = taint(graph, method, truth["stolen_outputs"], limits).as_dict()
        assert flowed["tainted_in"] == truth["stolen_value"]
        assert flowed["tainted_out"] + flowed["tainted_fees"] <= truth["stolen_value"]
        assert flowed["tainted_out"] + flowed["tainted_fees"] >= truth["stolen_value"] - 2
        assert all(r["tainted_value"] <= r["value"] for r in flowed["rows"])
        outs = {f"{r['txid']}:{r['vout']}" for r in flowed["rows"]}
        assert outs <= set(within)
