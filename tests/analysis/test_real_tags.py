"""Real tags on real blocks: every label file (the OFAC lists and the GraphSense TagPacks) is
loaded; they find the sanctioned address that block 692261 spends from (its prevouts),
`lookup/tags` shows it, and the direct exposure of one of that transaction's payees to
"sanctioned" is the exact haircut share paid by the sanctioned entity (the address and its
multi-input cluster), computed here from the block and prevouts files alone."""

from __future__ import annotations

from fractions import Fraction
from math import floor
from pathlib import Path

import pytest

from analysis.clustering import ClusterConfig
from analysis.exposure import ExposureLimits, exposure
from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.prevouts import read_prevouts
from loaders.bitcoin.script import classify_script
from loaders.bitcoin.sources import iter_blocks
from loaders.tags.load import TagLoader
from tests.analysis.heuristics.test_coinjoin import MAINNET_FLAGGED
from tests.helpers import wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

SANCTIONED = "3HqA7i3ttECLvgqvq69HNxxUP5BL7Z5YgA"
"""In OFAC's SDN list (sanctioned_addresses_XBT.txt) and in the TagPack ofac.yaml; block
692261 spends from it."""


def address(script: bytes) -> str | None:
    return classify_script(script, MAINNET).address


@pytest.fixture(scope="module")
def loaded(graph: Graph, shared_data: Path) -> Graph:
    wipe(graph)
    BitcoinLoader(graph, cluster_config=ClusterConfig()).load(
        [shared_data / "bitcoin/raw/0692261.raw"], height=692261,
        prevout_files=[shared_data / "bitcoin/prevouts/0692261.jsonl"])
    # every label file: exposure once built a map of all 150,000 tags per address and ran
    # out of transaction memory on this block's 81-input transaction
    summary = TagLoader(graph).load([shared_data / "labels"])
    assert sum(summary.tags.values()) > 100_000
    return graph


def test_the_sanctioned_address_in_the_block_is_tagged(loaded: Graph) -> None:
    rows = loaded.read("lookup/tags", {"address": SANCTIONED})
    own = {(r["source"], r["category"], r["inherited"]) for r in rows if not r["inherited"]}
    assert ("ofac", "sanctioned", False) in own
    assert any(r["label"].startswith("Asset listed under US Treasury OFAC") for r in rows)
    assert all(r["via_address"] == SANCTIONED for r in rows if not r["inherited"])
    with loaded.driver.session(database=loaded.database) as s:
        tagged_in_chain = s.run(
            "MATCH (t:Tag)-[:TAGS]->(a:Address)<-[:LOCKED_TO]-(:Output) "
            "RETURN DISTINCT a.address AS a").data()
    assert SANCTIONED in [r["a"] for r in tagged_in_chain]


def test_exposure_of_the_payee_to_the_sanctioned_address(loaded: Graph,
                                                         shared_data: Path) -> None:
    block = next(iter_blocks(shared_data / "bitcoin/raw/0692261.raw", height=692261))
    spent = {f"{p.txid}:{p.vout}": (address(p.script_pubkey), p.value)
             for p in read_prevouts(shared_data / "bitcoin/prevouts/0692261.jsonl")}
    for tx in block.block.txs:
        for o in tx.outputs:
            spent[f"{tx.txid}:{o.n}"] = (address(o.script_pubkey), o.value)
    tx = next(t for t in block.block.txs
              if any(spent.get(f"{i.prev_txid}:{i.vout}", (None, 0))[0] == SANCTIONED
                     for i in t.inputs))
    ins = [spent[f"{i.prev_txid}:{i.vout}"] for i in tx.inputs]
    payees = {address(o.script_pubkey) for o in tx.outputs} - {a for a, _ in ins} - {None}
    payee = sorted(payees)[0]
    # The sanctioned entity: its address and every address co-spent with it (multi-input,
    # flagged CoinJoins left out), by a union-find over this block's inputs.
    flagged = set(MAINNET_FLAGGED[692261])
    groups = [{a for a, _ in (spent[f"{i.prev_txid}:{i.vout}"] for i in t.inputs) if a}
              for t in block.block.txs[1:] if t.txid not in flagged]
    entity = {SANCTIONED}
    while True:
        grown = set().union(entity, *(g for g in groups if g & entity))
        if grown == entity:
            break
        entity = grown
    assert payee not in entity
    # everything the payee received in this block, each output split over its inputs: the
    # share paid by the sanctioned entity's addresses is direct exposure
    want = Fraction(0)
    for t in block.block.txs[1:]:
        t_ins = [spent[f"{i.prev_txid}:{i.vout}"] for i in t.inputs]
        t_total = sum(v for _, v in t_ins)
        t_dirty = sum(v for a, v in t_ins if a in entity)
        for o in t.outputs:
            if address(o.script_pubkey) == payee:
                want += Fraction(o.value * t_dirty, t_total)
    assert want > 0
    result = exposure(loaded, payee, "received", ExposureLimits(max_hops=1)).as_dict()
    rows = {r["category"]: r for r in result["rows"]}
    assert rows["sanctioned"]["direct_value"] == floor(want)
    assert rows["sanctioned"]["indirect_value"] == 0
