"""Time-respecting traces and paths on a hand-built account chain, with exact answers.

    block idx  transfer (ETH in wei unless said)
      1    -   0x0 -> A  500  withdrawal
      5    0   B -> C     50  before A -> B: must not continue it
     10    0   A -> B    100  native                  } one transaction (tx10)
     10    0   B -> F     30  internal '0' of tx10    }
     12    1   B -> D     70  native
     12    1   B -> M      7  fee (never followed)
     13    0   D -> E     60
     14    0   D -> G   1000  token TOK (erc20, log 3): another asset
     15    0   E -> H      1
     20    0   C -> X     40  C's money came before A's: not on A's trail

and, apart, an account reached late first and early later:

     40    0   S -> Q      5
     41    0   Q -> P      4
     45    0   P -> R      3  after Q's money reached P (41), before S's (50)
     50    0   S -> P      9
"""

from __future__ import annotations

from typing import Any

import pytest

from analysis.accounts import ZERO_ADDRESS, Window
from analysis.trace import TraceLimits, paths, paths_graph, trace
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import Graph
from tests.analysis.ethchain import T, acct, write_chain
from tests.helpers import wipe

pytestmark = pytest.mark.neo4j

A, B, C, D, E, F, G, H, M, X = (acct(c) for c in ("a", "b", "c", "d", "e", "f", "1", "2", "9",
                                                  "7"))
S, Q, P, R = (acct(c) for c in ("3", "4", "5", "6"))
TOK = acct("70")
MINT = T(ZERO_ADDRESS, A, 500, 1, kind="withdrawal", sub="0")
EARLY = T(B, C, 50, 5)
AB = T(A, B, 100, 10)
BF = T(B, F, 30, 10, kind="internal", sub="0")
BD = T(B, D, 70, 12, 1)
FEE = T(B, M, 7, 12, 1, kind="fee", sub="fee")
DE = T(D, E, 60, 13)
DG = T(D, G, 1000, 14, asset=TOK, kind="erc20", sub="3")
EH = T(E, H, 1, 15)
CX = T(C, X, 40, 20)
SQ, QP, PR, SP = T(S, Q, 5, 40), T(Q, P, 4, 41), T(P, R, 3, 45), T(S, P, 9, 50)
CHAIN = [MINT, EARLY, AB, BF, BD, FEE, DE, DG, EH, CX, SQ, QP, PR, SP]


@pytest.fixture(scope="module")
def eth(graph: Graph) -> Graph:
    wipe(graph)
    write_chain(graph, CHAIN, tags=[(D, "Exchange D", "exchange")])
    return graph


def trail(result: Any) -> list[tuple[int, str, str, str, str]]:
    """(hop, transfer id, from, to, value) per row."""
    return [(r["hop"], r["to_output"], r["from_address"], r["to_address"], r["value"])
            for r in result.rows]


def row(hop: int, t: T, backward: bool = False) -> tuple[int, str, str, str, str]:
    return (hop, t.id, t.to if backward else t.frm, t.frm if backward else t.to, str(t.value))


def test_an_earlier_transfer_never_continues_a_later_one(eth: Graph) -> None:
    fwd = trace(eth, A, "forward")
    assert trail(fwd) == [row(1, AB), row(2, BF), row(2, BD), row(3, DE), row(4, EH)]
    # B -> C (block 5) happened before A's money reached B (block 10): not on the trail, nor
    # C -> X after it; the internal B -> F in the same transaction as A -> B continues it
    assert EARLY.id not in {r["to_output"] for r in fwd.rows}
    back = trace(eth, C, "backward")  # C's money came from B at block 5, before A paid B
    assert trail(back) == [row(1, EARLY, True)]
    assert fwd.truncated == [] and fwd.as_dict()["chain"] == "ethereum"
    first = fwd.rows[0]
    assert (first["txid"], first["height"], first["time"], first["seq"], first["kind"],
            first["asset"], first["fanout"], first["from_output"]) == (
        AB.tx, 10, 1_700_000_120, AB.seq, "native", "ETH", 1, None)
    assert fwd.rows[2]["from_output"] == AB.id  # the transfer that brought the money


def test_backward_ends_at_the_protocol(eth: Graph) -> None:
    back = trace(eth, H, "backward")
    assert trail(back) == [row(1, EH, True), row(2, DE, True), row(3, BD, True),
                           row(4, AB, True), row(5, MINT, True)]
    assert back.rows[-1]["kind"] == "withdrawal"  # the zero address is never expanded


def test_an_account_reached_earlier_at_a_later_hop_is_expanded_again(eth: Graph) -> None:
    # P is first reached by S -> P at block 50 (nothing leaves P after it), then at hop 2 by
    # Q -> P at block 41: P -> R (block 45) is reachable through that one only
    assert trail(trace(eth, S, "forward")) == [row(1, SQ), row(1, SP), row(2, QP), row(3, PR)]
    assert trail(trace(eth, R, "backward")) == [row(1, PR, True), row(2, QP, True),
                                                row(3, SQ, True)]


def test_assets_are_followed_apart(eth: Graph) -> None:
    every = trace(eth, A, "forward", asset="*")
    assert trail(every) == [row(1, AB), row(2, BF), row(2, BD), row(3, DE), row(3, DG),
                            row(4, EH)]
    assert [r["asset"] for r in every.rows if r["to_output"] == DG.id] == [TOK]
    assert every.as_dict()["asset"] == "*"
    assert trace(eth, A, "forward", asset=TOK.upper().replace("0X", "0x")).rows == []
    # a transfer start follows its own asset unless told: G's token came from D, which had
    # received no token before
    tok = trace(eth, DG.id, "backward")
    assert (tok.asset, tok.rows, tok.start_outputs) == (TOK, [], [DG.id])
    with pytest.raises(NotFound):
        trace(eth, DG.id, "backward", asset="ETH")


def test_min_value_fanout_stop_and_fees(eth: Graph) -> None:
    big = trace(eth, A, "forward", TraceLimits(min_value=31))
    assert trail(big) == [row(1, AB), row(2, BD), row(3, DE)]  # not 30 to F, nor 1 to H
    assert all(r["kind"] != "fee" for r in trace(eth, B, "forward", asset="*").rows)
    one = trace(eth, A, "forward", TraceLimits(max_fanout=1))
    assert trail(one) == [row(1, AB), row(2, BD), row(3, DE), row(4, EH)]  # the larger
    assert one.truncated == [
        "fan-out: 1 account(s) with more than max_fanout=1 transfers out (of one asset, in "
        f"the window) were cut to the largest, e.g. {B}"]
    stop = trace(eth, A, "forward", TraceLimits(stop_at_categories=("exchange",)))
    assert [(r["to_address"], r["stopped"]) for r in stop.rows] == [
        (B, False), (F, False), (D, True)]
    assert stop.rows[2]["to_tags"] == [
        {"label": "Exchange D", "category": "exchange", "source": "test"}]
    rows = trace(eth, A, "forward", TraceLimits(max_rows=2))
    assert len(rows.rows) == 2 and rows.truncated == ["rows: stopped at max_rows=2"]
    hops = trace(eth, A, "forward", TraceLimits(max_hops=2))
    assert trail(hops) == [row(1, AB), row(2, BF), row(2, BD)]
    with pytest.raises(ParameterError, match="one asset"):
        trace(eth, A, "forward", TraceLimits(min_value=1), asset="*")


def test_windows_of_blocks_and_times(eth: Graph) -> None:
    assert trace(eth, A, "forward", window=Window(from_block=11)).rows == []
    assert trail(trace(eth, A, "forward", window=Window(to_block=12))) == [
        row(1, AB), row(2, BF), row(2, BD)]
    assert trail(trace(eth, H, "backward", window=Window(from_block=11))) == [
        row(1, EH, True), row(2, DE, True), row(3, BD, True)]
    # times: block n is at 1_700_000_000 + 12 n
    assert trail(trace(eth, A, "forward", window=Window(until=1_700_000_000 + 12 * 12))) == [
        row(1, AB), row(2, BF), row(2, BD)]
    assert trace(eth, A, "forward", window=Window(since=1_700_000_000 + 12 * 11)).rows == []
    with pytest.raises(ParameterError):
        Window(from_block=5, to_block=4)


def test_starts_from_a_transaction_or_a_transfer(eth: Graph) -> None:
    tx = trace(eth, AB.tx, "forward")  # both transfers of tx10 start it
    assert sorted(tx.start_outputs) == sorted([AB.id, BF.id])
    assert trail(tx) == [row(1, BD), row(2, DE), row(3, EH)]
    graph = tx.as_graph()
    assert [(e["source"], e["target"], e["hop"], e["output"]) for e in graph["edges"]][:2] == [
        (A, B, 0, AB.id), (B, F, 0, BF.id)]
    assert {n["id"] for n in graph["nodes"]} == {A, B, F, D, E, H}
    assert trace(eth, BF.id, "forward").rows == []  # F sent nothing on
    assert trail(trace(eth, BD.id, "backward")) == [row(1, AB, True), row(2, MINT, True)]
    # mixed case is the same account; a chain given explicitly wins over the 0x inference
    assert trail(trace(eth, A.upper().replace("0X", "0x"), "forward")) == trail(
        trace(eth, A, "forward"))
    with pytest.raises(NotFound):
        trace(eth, A, "forward", chain="bitcoin")
    with pytest.raises(NotFound):
        trace(eth, acct("8"), "forward")
    with pytest.raises(ParameterError):
        trace(eth, "0x1234", "forward")
    with pytest.raises(ParameterError):
        trace(eth, A, "forward", asset="BTC")


def test_time_respecting_paths(eth: Graph) -> None:
    p = paths(eth, A, H)
    assert [(x["hops"], x["outputs"], x["addresses"], x["bottleneck_value"], x["asset"])
            for x in p["paths"]] == [
        (4, [AB.id, BD.id, DE.id, EH.id], [A, B, D, E, H], "1", "ETH")]
    assert p["paths"][0]["txids"] == [AB.tx, BD.tx, DE.tx, EH.tx]
    assert paths(eth, A, C)["paths"] == []  # B -> C came first
    assert paths(eth, A, H, max_hops=3)["paths"] == []
    assert paths(eth, A, H, min_value=2)["paths"] == []  # E -> H is 1 wei
    # B has three transfers out (its fee is no transfer): a super node for max_fanout 2,
    # unless asked for
    assert paths(eth, A, H, max_fanout=2)["paths"] == []
    assert len(paths(eth, A, H, max_fanout=2, include_super_nodes=True)["paths"]) == 1
    assert len(paths(eth, A, H, max_fanout=3)["paths"]) == 1
    mixed = paths(eth, A, G, asset="*")["paths"]
    assert [(x["outputs"], x["bottleneck_value"], x["asset"]) for x in mixed] == [
        ([AB.id, BD.id, DG.id], None, None)]  # two assets: no bottleneck across them
    assert paths(eth, A, G)["paths"] == []
    assert paths(eth, S, R)["paths"][0]["outputs"] == [SQ.id, QP.id, PR.id]
    assert paths(eth, A, H, window=Window(from_block=11))["paths"] == []
    g = paths_graph(p)
    assert [(e["source"], e["target"], e["output"], e["hop"]) for e in g["edges"]] == [
        (A, B, AB.id, 1), (B, D, BD.id, 2), (D, E, DE.id, 3), (E, H, EH.id, 4)]
    with pytest.raises(ParameterError, match="no clusters"):
        paths(eth, A, f"cluster:{H}", chain="ethereum")
    with pytest.raises(NotFound):
        paths(eth, A, acct("8"))


def test_an_account_known_only_from_a_tag_is_not_found(eth: Graph) -> None:
    """A tag gives its account a node, but no transfer touches it: a trace, taint or
    exposure from it is "not found", as for a Bitcoin address no output pays."""
    from analysis.exposure import ExposureLimits, exposure
    from analysis.taint import TaintLimits, taint
    from tests.helpers import write_tags

    lone = "0x" + "0a" * 20
    write_tags(eth, [{"id": "lone", "address": lone, "label": "Scam", "category": "scam",
                      "currency": "ETH"}])
    with pytest.raises(NotFound):
        trace(eth, lone, "forward")
    with pytest.raises(NotFound):
        exposure(eth, lone, "received", ExposureLimits(max_hops=1))
    with pytest.raises(NotFound):
        taint(eth, "haircut", [lone], TaintLimits(max_hops=1))
