"""load/bitcoin/transactions with blocks the load placed as it wrote them (MainTips): the
graph after chain placement is the one a load that placed nothing at write time gives."""

from __future__ import annotations

import pytest

from cypher.runner import Graph
from loaders.bitcoin.chain import Header, MainTips
from loaders.bitcoin.load import BitcoinWriter, place_chain
from loaders.bitcoin.model import Block
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.rows import Rows, block_rows
from tests.handbuilt import block, hx, pkh, tx
from tests.helpers import graph_fingerprint, wipe, write_blocks

pytestmark = pytest.mark.neo4j

G, B1, B2, B3 = hx("01"), hx("05"), hx("04"), hx("06")
DUP = hx("d0")  # one txid in two main blocks, as the two BIP30 duplicates of mainnet


def blocks() -> list[Block]:
    return [
        block(G, "0" * 64, [tx(hx("c0"), [], [(50, pkh(1))])]),
        block(B1, G, [tx(DUP, [], [(50, pkh(2))])]),
        block(B2, B1, [tx(DUP, [], [(50, pkh(2))]), tx(hx("a1"), [(hx("c0"), 0)],
                                                       [(40, pkh(3))])]),
        block(B3, B2, [tx(hx("c3"), [], [(50, pkh(4))])]),
    ]


def load_placing(graph: Graph, bs: list[Block]) -> None:
    """Write block by block, placed as the loader places them, then chain placement."""
    tips = MainTips({}, {})
    writer = BitcoinWriter(graph)
    try:
        for b in bs:
            h = b.header
            rows = Rows()
            block_rows(b, MAINNET, rows, tips.extend(Header(h.hash, h.prev_hash, h.bits)))
            writer.write(rows.whole())
    finally:
        writer.close()
    place_chain(graph)


def test_blocks_placed_at_load_give_the_graph_of_placement_after_it(graph: Graph) -> None:
    wipe(graph)
    write_blocks(graph, blocks())  # nothing placed until the end
    reference = graph_fingerprint(graph)
    dup = graph.read("lookup/transaction", {"txid": DUP})[0]
    # Both blocks are main; the rule of chain/update_transactions takes the smaller hash, B2,
    # which the load wrote after B1: the transaction was placed in B1 first.
    assert (dup["block_hash"], dup["height"]) == (B2, 2)
    wipe(graph)
    load_placing(graph, blocks())
    assert graph_fingerprint(graph) == reference
    assert graph.read("lookup/transaction", {"txid": DUP})[0]["block_hash"] == B2
    assert place_chain(graph) == 0


def test_stored_outputs_and_the_correction_of_a_wrong_prevout(graph: Graph) -> None:
    """load/bitcoin/stored_outputs says what stored outputs pay and who wrote them;
    load/bitcoin/prevouts leaves a created output alone; a block that contradicts a prevout
    written before it makes the output what the block says (no `prevout_height` or
    `from_coinbase` left), marks it, and load/bitcoin/correct_outputs unlinks (and
    removes) the address the prevout named."""
    from loaders.bitcoin.model import Prevout
    from loaders.bitcoin.rows import prevout_rows
    from tests.handbuilt import p2pkh

    wipe(graph)
    writer = BitcoinWriter(graph)
    try:
        rows = Rows()  # a wrong prevout for c0:0 (it pays 50 to pkh(1)), and one for c9:0
        prevout_rows([Prevout(hx("c0"), 0, 7, pkh(9), height=0, coinbase=True),
                      Prevout(hx("c9"), 0, 5, pkh(8))], MAINNET, rows)
        writer.write(rows)
    finally:
        writer.close()
    ids = [f"{hx('c0')}:0", f"{hx('c9')}:0", f"{hx('ee')}:0"]
    assert sorted(graph.read("load/bitcoin/stored_outputs", {"ids": ids}),
                  key=lambda r: r["id"]) == [
        {"id": ids[0], "value": 7, "script_type": "p2pkh", "address": p2pkh(pkh(9)),
         "script": None, "created": False},
        {"id": ids[1], "value": 5, "script_type": "p2pkh", "address": p2pkh(pkh(8)),
         "script": None, "created": False}]
    write_blocks(graph, blocks()[:1])  # G creates c0:0: the block wins, the output is marked
    got = graph.read("load/bitcoin/stored_outputs", {"ids": ids[:1]})
    assert got == [{"id": ids[0], "value": 50, "script_type": "p2pkh", "address": p2pkh(pkh(1)),
                    "script": None, "created": True}]
    # exactly what the block says: nothing of the prevout left (its height, coinbase flag)
    with graph.driver.session(database=graph.database) as s:
        props = s.run("MATCH (o:Output {id: $id}) RETURN properties(o) AS p",
                      id=ids[0]).single(strict=True)["p"]
    assert props == {"id": ids[0], "txid": hx("c0"), "n": 0, "value": 50, "script_type": "p2pkh",
                     "address": p2pkh(pkh(1)), "corrected": True}
    assert graph.autocommit("load/bitcoin/correct_outputs") == [{"corrected": 1}]
    assert graph.read("lookup/address", {"address": p2pkh(pkh(9))}) == []
    assert graph.read("lookup/address", {"address": p2pkh(pkh(1))})[0]["received"] == 50
    assert graph.autocommit("load/bitcoin/correct_outputs") == [{"corrected": 0}]
    # a prevout for a created output changes nothing
    writer = BitcoinWriter(graph)
    try:
        rows = Rows()
        prevout_rows([Prevout(hx("c0"), 0, 3, pkh(7))], MAINNET, rows)
        writer.write(rows)
    finally:
        writer.close()
    assert graph.read("load/bitcoin/stored_outputs", {"ids": ids[:1]}) == got
