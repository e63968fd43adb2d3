"""A bech32 address written all in upper case (BIP173; QR codes do) is the same address:
traces, taint, exposure and paths take it as the lower-case form the graph stores. Before,
only the stored queries' ADDRESS parameters did; a trace from the upper-case form said "no
such address"."""

from __future__ import annotations

import pytest

from analysis.exposure import exposure
from analysis.taint import TaintLimits, taint
from analysis.trace import TraceLimits, paths, trace
from cypher.runner import Graph
from tests.handbuilt import block, hx, named_tx, p2pkh
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

S = {name: bytes.fromhex("0014" + f"{i:02x}" * 20) for i, name in enumerate("WXYZ", 1)}
W, X, Y, Z = (p2pkh(S[n]) for n in "WXYZ")  # P2WPKH: bc1q..., lower case


@pytest.fixture(scope="module")
def segwit(graph: Graph) -> Graph:
    tx = named_tx(S)
    wipe(graph)
    write_blocks(graph, [
        block(hx("1"), "0" * 64, [tx(hx("a"), [], [(50, "W")])]),
        block(hx("2"), hx("1"), [tx(hx("c"), [], [(50, "Z")]),
                                 tx(hx("b"), [(hx("a"), 0)], [(30, "X"), (19, "Y")])]),
        block(hx("3"), hx("2"), [tx(hx("e"), [], [(50, "Z")]),
                                 tx(hx("d"), [(hx("b"), 0)], [(29, "Z")])]),
    ])
    return graph


def test_upper_case_bech32_is_the_stored_address(segwit: Graph) -> None:
    assert W.startswith("bc1q") and W.islower()
    lim = TraceLimits(max_hops=3)
    assert trace(segwit, W.upper(), "forward", lim).as_dict() == \
        trace(segwit, W, "forward", lim).as_dict()
    assert [r["to_address"] for r in trace(segwit, W.upper(), "forward", lim).rows] == \
        [X, Y, Z]
    for source in (W, f"cluster:{W}"):
        got = taint(segwit, "haircut", [source.replace(W, W.upper())], TaintLimits(max_hops=2))
        assert got.as_dict()["rows"] == taint(segwit, "haircut", [source],
                                              TaintLimits(max_hops=2)).as_dict()["rows"]
    assert exposure(segwit, Z.upper(), "received").as_dict()["target"] == Z
    found = paths(segwit, W.upper(), f"cluster:{Z.upper()}", k=2)
    assert [p["txids"] for p in found["paths"]] == [[hx("b"), hx("d")]]
    assert found["paths"] == paths(segwit, W, f"cluster:{Z}", k=2)["paths"]
