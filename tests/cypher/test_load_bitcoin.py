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
