"""Exposure: the attribution arithmetic alone (hand-computed), then on a hand-built chain with
hand-computed answers, then a generated theft whose cash-out must show as direct exposure.

The hand-built chain (mainnet P2PKH scripts, made-up hashes, values in satoshi):

    g  (height 0): coinbase cb: E1 1000, E2 600, M1 900, U 500, T1 700, T2 300, W 400
    b1 (height 1): tE spends E1 1000, E2 600      -> T1 800, E2 790          (links E1-E2)
                   tM spends M1 900               -> U 450, M1 440
    b2 (height 2): tU spends U 450 (tM:0), U 500  -> T2 600, V 340
                   tT spends T1 700, T2 300       -> P 500, T1 490 (change)  (links T1-T2)
    b3 (height 3): tS spends T1 800, T2 600       -> E1 1000, V 390
                   tV spends W 400                -> T1 395
    b4 (height 4): tW spends V 390 (tS:1)         -> M1 200, X 185

Tags: E1 'exchange' (E2 inherits it through the cluster E1-E2), M1 'mixer'. The target entity
is the cluster T1-T2; U, V, W, P, X are untagged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from analysis.clustering import ClusterConfig, Clusterer
from analysis.exposure import (
    MAX_HOPS,
    ExposureLimits,
    HopTx,
    Party,
    Target,
    exact_sum,
    exposure,
    parse_target,
    split,
    summarize,
    walk,
)
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.model import Block
from loaders.bitcoin.network import REGTEST
from loaders.bitcoin.script import classify_script
from loaders.bitcoin.sources import iter_blocks
from loaders.sample import generate_chain
from tests.handbuilt import block, hx, named_tx, p2pkh, pkh
from tests.helpers import wipe, write_blocks, write_tags

# ---- the arithmetic, without Neo4j ----------------------------------------------------------


def test_split_and_exact_sum() -> None:
    assert split(Fraction(60), 30, 100) == 18
    assert split(Fraction(40), 1, 3) == Fraction(40, 3)
    assert exact_sum([]) == 0
    thirds = [Fraction(1, 3)] * 3 + [Fraction(1, 7)] * 7 + [Fraction(5)]
    assert exact_sum(thirds) == 7
    with pytest.raises(ParameterError):
        split(Fraction(1), 1, 0)


def test_targets_and_limits() -> None:
    assert parse_target("cluster:1abc") == Target("cluster", "1abc")
    assert parse_target("1abc") == Target("address", "1abc")
    assert parse_target("cluster:1abc").label == "cluster:1abc"
    for bad in ("", "cluster:", "not an address", "cluster:a:b"):
        with pytest.raises(ParameterError):
            parse_target(bad)
    with pytest.raises(ParameterError, match="max_hops"):
        ExposureLimits(max_hops=0)
    with pytest.raises(ParameterError, match="max_hops"):
        ExposureLimits(max_hops=MAX_HOPS + 1)
    with pytest.raises(ParameterError, match="max_txs"):
        ExposureLimits(max_txs=0)
    assert Target("address", "T").owns(Party("o", 1, "T", "C"))
    assert not Target("address", "T").owns(Party("o", 1, "T2", "C"))
    assert Target("cluster", "C").owns(Party("o", 1, "T2", "C"))


# A received walk by hand. The target address T received 60 on t1:0 and 40 on t2:0 (total 100).
#   t1: inputs A 30 (exchange), U 60 (untagged), T 10 (the target's own); total 100
#   t2: inputs S 1 (exchange and sanctioned), Y 2 (untagged); total 3
#   t3 created U's input u:0: inputs M 1 (mixer), X 2 (untagged); total 3
#   t4 created Y's input y:0: a coinbase
#   t5 created X's input x:0: one input unresolved (its value is not loaded)
PURE_TXS = {
    "t1:0": HopTx("t1", ("t1:0",), (Party("a:0", 30, "A"), Party("u:0", 60, "U"),
                                    Party("s:0", 10, "T")), 3, 100),
    "t2:0": HopTx("t2", ("t2:0",), (Party("s:1", 1, "S"), Party("y:0", 2, "Y")), 2, 3),
    "u:0": HopTx("t3", ("u:0",), (Party("m:0", 1, "M"), Party("x:0", 2, "X")), 2, 3),
    "y:0": HopTx("t4", ("y:0",), (), 0, 0, coinbase=True),
    "x:0": HopTx("t5", ("x:0",), (Party("z:0", None, None),), 1, None),
}
PURE_TAGS = {"A": ["exchange"], "S": ["sanctioned", "exchange"], "M": ["mixer"]}


def fake_fetch(txs: dict[str, HopTx], log: list[list[str]] | None = None) -> Any:
    def fetch(outputs: Any) -> list[HopTx]:
        if log is not None:
            log.append(list(outputs))
        found = {txs[o].txid: txs[o] for o in outputs if o in txs}
        return [HopTx(t.txid, tuple(o for o in t.reached if o in outputs), t.parties,
                      t.party_count, t.total, t.coinbase) for t in found.values()]
    return fetch


def fake_tags(addresses: Any) -> dict[str, list[str]]:
    return {a: PURE_TAGS[a] for a in addresses if a in PURE_TAGS}


def pure(max_hops: int, txs: dict[str, HopTx] | None = None, **limits: int) -> dict[str, Any]:
    start = {"t1:0": 60, "t2:0": 40}
    w = walk(start, fake_fetch(txs or PURE_TXS), fake_tags, Target("address", "T").owns,
             ExposureLimits(max_hops=max_hops, **limits), "received")
    return summarize("T", "received", max_hops, 100, 2, w).as_dict()


def test_received_walk_by_hand() -> None:
    got = pure(3)
    # exchange: A 60 x 30/100 = 18 and S 40 x 1/3 = 13.33 (direct); sanctioned: S 13.33;
    # mixer: U's 36 (60 x 60/100) x 1/3 = 12, at hop 2 (indirect)
    assert got["rows"] == [
        {"category": "exchange", "direct_value": 31, "indirect_value": 0, "share": 0.31},
        {"category": "sanctioned", "direct_value": 13, "indirect_value": 0, "share": 0.13},
        {"category": "mixer", "direct_value": 0, "indirect_value": 12, "share": 0.12},
    ]
    # own: T 60 x 10/100 = 6; untagged: Y's 26.67 ends at a coinbase; unknown: X's 24 reaches
    # t5, whose unresolved input leaves the split undefined. 18 + 13.33 + 12 + 6 + 26.67 + 24
    # = 100 (S's 13.33 counted once).
    assert got["not_exposure"] == {"own": 6, "untagged": 26, "unknown": 24, "cut": 0}
    assert got["txs_visited"] == 5 and got["truncated"] is False


def test_received_walk_fewer_hops() -> None:
    two = pure(2)  # X (24) is reached at the last hop: untagged, not followed to t5
    assert two["not_exposure"] == {"own": 6, "untagged": 50, "unknown": 0, "cut": 0}
    assert [r["category"] for r in two["rows"]] == ["exchange", "sanctioned", "mixer"]
    one = pure(1)  # direct only: U (36) and Y (26.67) end untagged
    assert one["rows"] == [
        {"category": "exchange", "direct_value": 31, "indirect_value": 0, "share": 0.31},
        {"category": "sanctioned", "direct_value": 13, "indirect_value": 0, "share": 0.13},
    ]
    assert one["not_exposure"] == {"own": 6, "untagged": 62, "unknown": 0, "cut": 0}
    assert one["txs_visited"] == 2


def test_bounds_are_reported_as_cut() -> None:
    budget = pure(3, max_txs=2)  # hop 2 not walked: U 36 + Y 26.67 cut
    assert budget["not_exposure"] == {"own": 6, "untagged": 0, "unknown": 0, "cut": 62}
    assert budget["truncated"] and "max_txs=2" in budget["truncation"][0]
    # t1 lists only its two largest inputs (as max_fanout=2 would): T's 10 of 100 is cut
    cut = dict(PURE_TXS)
    cut["t1:0"] = HopTx("t1", ("t1:0",), PURE_TXS["t1:0"].parties[:2], 3, 100)
    got = pure(3, cut)
    assert got["not_exposure"] == {"own": 0, "untagged": 26, "unknown": 24, "cut": 6}
    assert "fan-out: 1 transaction" in got["truncation"][0]


def test_value_reaching_one_transaction_twice_is_added_once() -> None:
    # T received two outputs of one transaction (50 + 30); its only input is tagged
    txs = {"t:0": HopTx("t", ("t:0", "t:1"), (Party("i:0", 7, "A"),), 1, 7),
           "t:1": HopTx("t", ("t:0", "t:1"), (Party("i:0", 7, "A"),), 1, 7)}
    log: list[list[str]] = []
    w = walk({"t:0": 50, "t:1": 30}, fake_fetch(txs, log), fake_tags,
             Target("address", "T").owns, ExposureLimits(), "received")
    got = summarize("T", "received", 3, 80, 2, w)
    assert [(r.category, r.direct_value, r.share) for r in got.rows] == [("exchange", 80, 1.0)]
    assert log == [["t:0", "t:1"]] and w.txs_visited == 1


def test_sent_walk_by_hand() -> None:
    # The target cluster C spent s:0 (50) in t6: outputs E 30 (exchange), C's change 14, V 5;
    # total out 49. V's output is spent by t7: G 2 (gambling), W 1 (never spent).
    txs = {
        "s:0": HopTx("t6", ("s:0",), (Party("t6:0", 30, "E", "E"), Party("t6:1", 14, "C2", "C"),
                                      Party("t6:2", 5, "V", "V")), 3, 49),
        "t6:2": HopTx("t7", ("t6:2",), (Party("t7:0", 2, "G", "G"), Party("t7:1", 1, "W", "W")),
                      2, 3),
    }
    tags = {"E": ["exchange"], "G": ["gambling"]}
    for hops, untagged in ((3, 1), (2, 1), (1, 5)):
        w = walk({"s:0": 50}, fake_fetch(txs), lambda a: {x: tags[x] for x in a if x in tags},
                 Target("cluster", "C").owns, ExposureLimits(max_hops=hops), "sent")
        got = summarize("cluster:C", "sent", hops, 50, 1, w).as_dict()
        # exchange: 50 x 30/49 = 30.61; own: 50 x 14/49 = 14.29; V: 50 x 5/49 = 5.10, then
        # gambling 5.10 x 2/3 = 3.40 and W 1.70 (unspent: untagged)
        want = [{"category": "exchange", "direct_value": 30, "indirect_value": 0,
                 "share": 0.6}]
        if hops > 1:
            want.append({"category": "gambling", "direct_value": 0, "indirect_value": 3,
                         "share": 0.06})
        assert got["rows"] == want
        assert got["not_exposure"] == {"own": 14, "untagged": untagged, "unknown": 0, "cut": 0}


# ---- on Neo4j: the hand-built chain ---------------------------------------------------------

BTC = 100_000_000






NAMES = ["E1", "E2", "M1", "U", "T1", "T2", "W", "V", "P", "X"]
S = {name: pkh(i + 1) for i, name in enumerate(NAMES)}
ADDR = {name: p2pkh(s) for name, s in S.items()}
tx = named_tx(S)
CB, TE, TM, TU, TT, TS, TV, TW = (hx(c) for c in ("c0", "e1", "e2", "e3", "e4", "e5", "e6",
                                                    "e7"))
T_ID = min(ADDR["T1"], ADDR["T2"])
E_ID = min(ADDR["E1"], ADDR["E2"])






def chain() -> list[Block]:
    cb = tx(CB, [], [(1000, "E1"), (600, "E2"), (900, "M1"), (500, "U"), (700, "T1"),
                     (300, "T2"), (400, "W")])
    g, b1, b2, b3, b4 = hx("01"), hx("02"), hx("03"), hx("04"), hx("05")
    return [
        block(g, "0" * 64, [cb]),
        block(b1, g, [tx(hx("c1"), [], [(50 * BTC, "P")]),
                      tx(TE, [(CB, 0), (CB, 1)], [(800, "T1"), (790, "E2")]),
                      tx(TM, [(CB, 2)], [(450, "U"), (440, "M1")])]),
        block(b2, b1, [tx(hx("c2"), [], [(50 * BTC, "P")]),
                       tx(TU, [(TM, 0), (CB, 3)], [(600, "T2"), (340, "V")]),
                       tx(TT, [(CB, 4), (CB, 5)], [(500, "P"), (490, "T1")])]),
        block(b3, b2, [tx(hx("c3"), [], [(50 * BTC, "P")]),
                       tx(TS, [(TE, 0), (TU, 0)], [(1000, "E1"), (390, "V")]),
                       tx(TV, [(CB, 6)], [(395, "T1")])]),
        block(b4, b3, [tx(hx("c4"), [], [(50 * BTC, "P")]),
                       tx(TW, [(TS, 1)], [(200, "M1"), (185, "X")])]),
    ]


def tag(graph: Graph, address: str, category: str, label: str) -> None:
    write_tags(graph, [{"id": f"{label}-{address}", "address": address, "label": label,
                        "category": category, "confidence": 100, "source": "test"}])


@pytest.fixture(scope="module")
def hand(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, chain())
    Clusterer(graph, ClusterConfig()).rebuild()
    tag(graph, ADDR["E1"], "exchange", "Exchange One")
    tag(graph, ADDR["M1"], "mixer", "Mixer One")
    return graph


def rows(result: Any) -> list[tuple[str, int, int, float]]:
    return [(r.category, r.direct_value, r.indirect_value, r.share) for r in result.rows]


@pytest.mark.neo4j
def test_tags_query_inherits_through_the_cluster(hand: Graph) -> None:
    got = hand.read("exposure/tags",  # E1 twice: one row
                    {"addresses": [ADDR[n] for n in ("E1", "E2", "M1", "U", "E1")]})
    assert sorted(got, key=lambda r: r["address"]) == sorted([
        {"address": ADDR["E1"], "cluster_id": E_ID, "categories": ["exchange"],
         "address_categories": ["exchange"]},
        {"address": ADDR["E2"], "cluster_id": E_ID, "categories": ["exchange"],
         "address_categories": []},
        {"address": ADDR["M1"], "cluster_id": ADDR["M1"], "categories": ["mixer"],
         "address_categories": ["mixer"]},
    ], key=lambda r: r["address"])
    assert hand.read("exposure/tags", {"addresses": []}) == []


@pytest.mark.neo4j
def test_received_by_the_cluster(hand: Graph) -> None:
    result = exposure(hand, f"cluster:{T_ID}", "received", ExposureLimits(max_hops=2))
    # received: cb 700 + 300, tE 800, tU 600, tT change 490, tV 395 = 3285
    assert (result.total, result.output_count) == (3285, 6)
    # exchange: tE:0 (800) comes all from E1 and E2 (E2 inherits E1's tag): direct 800.
    # mixer: tU:0 (600) comes from U's 450 and 500 (of 950); U's 450 came from M1:
    # 600 x 450/950 = 284.21, at hop 2.
    assert rows(result) == [("exchange", 800, 0, 0.243531), ("mixer", 0, 284, 0.086454)]
    # own: tT's change 490 (inputs T1, T2); untagged: the coinbase outputs 700 + 300, U's
    # other 500 share (315.79, from the coinbase), tV's 395 (W's coins came from the coinbase)
    assert (result.own, result.untagged, result.unknown, result.cut) == (490, 1710, 0, 0)
    assert result.truncated == []
    direct = exposure(hand, f"cluster:{T_ID}", "received", ExposureLimits(max_hops=1))
    assert rows(direct) == [("exchange", 800, 0, 0.243531)]
    assert direct.untagged == 3285 - 800 - 490  # U and W are untagged at hop 1


@pytest.mark.neo4j
def test_received_by_one_address(hand: Graph) -> None:
    result = exposure(hand, ADDR["T1"], "received", ExposureLimits(max_hops=2))
    # T1 alone received 700 + 800 + 490 + 395 = 2385; of tT's change only T1's input is
    # the target's own (490 x 700/1000 = 343); T2's 147 is followed back to the coinbase
    assert (result.total, result.output_count) == (2385, 4)
    assert rows(result) == [("exchange", 800, 0, 0.335430)]
    assert (result.own, result.untagged, result.unknown, result.cut) == (343, 1242, 0, 0)
    assert result.target == ADDR["T1"]


@pytest.mark.neo4j
def test_sent_by_the_cluster_and_by_one_address(hand: Graph) -> None:
    result = exposure(hand, f"cluster:{T_ID}", "sent", ExposureLimits(max_hops=2))
    # sent: T1 700 + T2 300 (tT), T1 800 + T2 600 (tS) = 2400. tS: 1400 over its outputs E1
    # 1000 and V 390 (1390): exchange 1400 x 1000/1390 = 1007.19; V's 392.81 goes on to tW:
    # mixer 392.81 x 200/385 = 204.05 (hop 2), X 188.76 (untagged at the last hop). tT: 1000
    # over P 500 and the change 490 (990): own 494.95, P 505.05 (never spent: untagged).
    assert (result.total, result.output_count) == (2400, 4)
    assert rows(result) == [("exchange", 1007, 0, 0.419583), ("mixer", 0, 204, 0.085)]
    assert (result.own, result.untagged, result.unknown, result.cut) == (494, 693, 0, 0)
    one = exposure(hand, ADDR["T1"], "sent", ExposureLimits(max_hops=3))
    # T1 spent 700 (tT) and 800 (tS) = 1500: exchange 800 x 1000/1390 = 575.54; mixer
    # 800 x 390/1390 x 200/385 = 116.60; own 700 x 490/990 = 346.46; P 353.54 + X 107.86
    assert (one.total, one.output_count) == (1500, 2)
    assert rows(one) == [("exchange", 575, 0, 0.383333), ("mixer", 0, 116, 0.077333)]
    assert (one.own, one.untagged, one.unknown, one.cut) == (346, 461, 0, 0)


@pytest.mark.neo4j
def test_bounds_and_bad_input(hand: Graph) -> None:
    cut = exposure(hand, f"cluster:{T_ID}", "received", ExposureLimits(max_hops=2, max_txs=3))
    assert cut.truncated and "max_txs=3" in cut.truncated[0] and cut.cut > 0
    few = exposure(hand, f"cluster:{T_ID}", "received",
                   ExposureLimits(max_hops=1, max_outputs=1))
    # only the largest output (tE:0, 800, all exchange) is followed; the other 2485 are cut
    assert rows(few) == [("exchange", 800, 0, 0.243531)] and few.cut == 2485
    assert "max_outputs" in few.truncated[0]
    with pytest.raises(NotFound, match="no address"):
        exposure(hand, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "received")
    with pytest.raises(NotFound, match="no cluster"):
        # the other member's address is in the cluster, but is not its id
        exposure(hand, f"cluster:{max(ADDR['T1'], ADDR['T2'])}", "sent")
    with pytest.raises(ParameterError, match="max_hops"):
        exposure(hand, ADDR["T1"], "received", ExposureLimits(max_hops=11))
    with pytest.raises(ParameterError, match="max_hops"):
        ExposureLimits(max_hops=0)
    with pytest.raises(ParameterError, match="direction"):
        exposure(hand, ADDR["T1"], "both")  # type: ignore[arg-type]
    # an unclustered address is a cluster of its own
    alone = exposure(hand, f"cluster:{ADDR['U']}", "sent", ExposureLimits(max_hops=1))
    assert alone.total == 950 and alone.own == 0


CLI_APP = ("import typer\n"
           "from chaintrail.cli.exposure import exposure\n"
           "app = typer.Typer()\n"
           "app.command()(exposure)\n"
           "app()\n")


def run_exposure(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command as main.py registers it, in its own process (it sets up logging)."""
    return subprocess.run([sys.executable, "-c", CLI_APP, *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)


@pytest.mark.neo4j
def test_cli_json_table_and_errors(hand: Graph, cli_env: dict[str, str]) -> None:
    got = run_exposure(cli_env, f"cluster:{T_ID}", "--direction", "sent", "--max-hops", "2")
    assert got.returncode == 0, got.stderr
    data = json.loads(got.stdout)
    assert data["rows"] == [
        {"category": "exchange", "direct_value": 1007, "indirect_value": 0, "share": 0.419583},
        {"category": "mixer", "direct_value": 0, "indirect_value": 204, "share": 0.085}]
    assert data["not_exposure"] == {"own": 494, "untagged": 693, "unknown": 0, "cut": 0}
    assert data["total"] == 2400 and data["truncated"] is False
    table = run_exposure(cli_env, ADDR["T1"], "--format", "table")
    assert table.returncode == 0, table.stderr
    assert "exchange" in table.stdout and "0.335430" in table.stdout
    bad = run_exposure(cli_env, "1BoatSLRHtKNngkdXEeobR76b53LETtpyX")
    assert bad.returncode == 1 and "error:" in bad.stderr and "Traceback" not in bad.stderr
    hops = run_exposure(cli_env, ADDR["T1"], "--max-hops", "11")
    assert hops.returncode == 1 and "max_hops" in hops.stderr
    direction = run_exposure(cli_env, ADDR["T1"], "--direction", "both")
    assert direction.returncode == 1 and "direction" in direction.stderr


# ---- on Neo4j: a generated theft ------------------------------------------------------------


@pytest.mark.neo4j
def test_generated_cashout_is_direct_theft_exposure_of_the_exchange(
        graph: Graph, tmp_path: Path) -> None:
    generate_chain(tmp_path, txs=4000, seed=21)
    truth = json.loads((tmp_path / "truth.json").read_text())
    theft = truth["theft"]
    thief = set(truth["entities"][theft["thief_entity"]]["addresses"])
    wipe(graph)
    BitcoinLoader(graph).load([tmp_path])  # loads and clusters
    for a in sorted(thief):
        tag(graph, a, "theft", "the thief")
    exchange = graph.read("cluster/of_address", {"address": theft["cashout_address"]})[0]
    members = {r["address"] for r in graph.read(
        "cluster/members", {"cluster_id": exchange["cluster_id"], "limit": 100_000})}
    assert theft["cashout_address"] in members and not members & thief

    # Independently, from the block files: every output paid to the exchange's cluster takes
    # from its creating transaction the fraction of the input value that came from thief
    # addresses. The cash-out transaction spends only the thief's CoinJoin outputs, so its
    # one output (to the exchange's deposit address) counts in full.
    outs: dict[str, tuple[int, str | None]] = {}
    expected = Fraction(0)
    cashout_value = None
    for sb in iter_blocks(tmp_path):
        for t in sb.block.txs:
            for o in t.outputs:
                outs[f"{t.txid}:{o.n}"] = (o.value, classify_script(o.script_pubkey,
                                                                     REGTEST).address)
            if t.is_coinbase:
                continue
            ins = [outs[f"{i.prev_txid}:{i.vout}"] for i in t.inputs]
            total_in = sum(v for v, _ in ins)
            from_thief = sum(v for v, a in ins if a in thief)
            for o in t.outputs:
                if outs[f"{t.txid}:{o.n}"][1] in members:
                    expected += Fraction(o.value * from_thief, total_in)
            if t.txid == theft["cashout_txid"]:
                assert from_thief == total_in  # all of the cash-out's inputs are the thief's
                cashout_value = t.outputs[0].value
    assert cashout_value is not None and cashout_value > 0

    result = exposure(graph, f"cluster:{exchange['cluster_id']}", "received",
                      ExposureLimits(max_hops=1))
    assert result.total == exchange["received"]
    by = {r.category: r for r in result.rows}
    assert by["theft"].direct_value == int(expected)
    assert by["theft"].direct_value >= cashout_value
    assert by["theft"].share == round(by["theft"].direct_value / result.total, 6)
    deeper = exposure(graph, f"cluster:{exchange['cluster_id']}", "received",
                      ExposureLimits(max_hops=4))
    assert {r.category: r.direct_value for r in deeper.rows}["theft"] == int(expected)


@pytest.mark.neo4j
def test_an_address_known_only_from_a_tag_is_not_found(hand: Graph) -> None:
    """A tag creates its address's node, but no output pays it: exposure and cluster flows
    say "not found" rather than answer zeros, as traces and taint do."""
    from analysis.exposure import cluster_flows

    lone = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    tag(hand, lone, "scam", "Scam")
    for target in (lone, f"cluster:{lone}"):
        with pytest.raises(NotFound):
            exposure(hand, target, "received", ExposureLimits(max_hops=1))
    with pytest.raises(NotFound, match="no cluster with id"):
        cluster_flows(hand, lone, "out")
