"""`bench/per_tx_reference` (the benchmark's old-style loader) writes the same entities as the
batch loader, so the benchmark's ratio compares equal work."""

from __future__ import annotations

import pytest

from cypher.runner import Graph
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.rows import per_tx_params
from tests.cypher.test_lookup import chain
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

COUNTS = """MATCH (n) WITH labels(n)[0] AS label, count(*) AS n RETURN label, n ORDER BY label"""
RELS = """MATCH ()-[r]->() WITH type(r) AS type, count(*) AS n RETURN type, n ORDER BY type"""


def counts(graph: Graph) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    with graph.driver.session(database=graph.database) as s:
        return s.run(COUNTS).data(), s.run(RELS).data()


def test_per_tx_reference_writes_the_same_entities(graph: Graph) -> None:
    wipe(graph)
    write_blocks(graph, chain())
    batch = counts(graph)
    wipe(graph)
    q = graph.registry["bench/per_tx_reference"]
    for block in chain():
        for index, tx in enumerate(block.txs):
            params = per_tx_params(tx, MAINNET, block.hash, index)
            graph.write(lambda t, p=params: graph.run_write(t, q.name, p), "reference")
    assert counts(graph) == batch
    assert batch[0] == [{"label": "Address", "n": 3}, {"label": "Block", "n": 4},
                        {"label": "Output", "n": 8}, {"label": "Transaction", "n": 6}]
