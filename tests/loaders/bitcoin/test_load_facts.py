"""Every real file with a facts file, loaded alone into an empty instance, matches its facts.

The facts were computed by an independent parser and cross-checked by a second library
(../shared/data/README.md); here they are compared with what the stored queries answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.script import classify_script
from loaders.bitcoin.sources import iter_blocks
from tests.helpers import wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

SUBSIDY_HALVING = 210_000


def subsidy(height: int) -> int:
    halvings = height // SUBSIDY_HALVING
    return 0 if halvings >= 64 else (50 * 100_000_000) >> halvings


def facts_files(shared: Path) -> list[Path]:
    return sorted(
        p for p in (shared / "bitcoin" / "facts").glob("*.facts.json")
        if not p.name.endswith(".inputs.facts.json") and not p.name.startswith("megatx")
    )


def data_file(shared: Path, facts: Path) -> Path:
    name = facts.name.removesuffix(".facts.json")
    for sub in ("raw", "blk", "tx"):
        if (shared / "bitcoin" / sub / name).exists():
            return shared / "bitcoin" / sub / name
    raise AssertionError(f"no data file for {facts}")


def block_facts(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["blocks"] if "blocks" in doc else [doc["facts"]]


def load(graph: Graph, *paths: Path, prevouts: tuple[Path, ...] = ()) -> None:
    BitcoinLoader(graph, batch_txs=2000).load(list(paths), prevout_files=list(prevouts))


def check_block(graph: Graph, f: dict[str, Any]) -> None:
    rows = graph.read("lookup/block", {"hash": f["block_hash"]})
    assert len(rows) == 1, f["block_hash"]
    b = rows[0]
    expected = {
        "hash": f["block_hash"],
        "prev_hash": f["prev_block_hash"],
        "merkle_root": f["merkle_root"],
        "version": f["version"],
        "time": f["time"],
        "bits": f["bits"],
        "nonce": f["nonce"],
        "size": f["size_bytes"],
        "weight": f["weight"],
        "tx_count": f["tx_count"],
        "input_count": f["input_count_excluding_coinbase"],
        "output_count": f["output_count_total"],
        "output_value": f["output_value_sum_sat"],
        "coinbase_value": f["coinbase_output_value_sat"],
        "first_txid": f["first_txid"],
        "last_txid": f["last_txid"],
    }
    assert {k: b[k] for k in expected} == expected
    height = f.get("height_assumed", f.get("bip34_height_from_coinbase"))
    if height is not None:
        assert b["height"] == height
    outs = graph.read("stats/outputs", {"block_hashes": [f["block_hash"]]})[0]
    assert outs["outputs"] == f["output_count_total"]
    assert outs["output_value"] == f["output_value_sum_sat"]
    assert outs["script_types"] == f["output_script_types"]
    assert outs["addresses"] == f["distinct_addresses_count_with_p2pk_as_p2pkh"]
    assert outs["addresses_excluding_p2pk"] == f["distinct_addresses_count"]


def test_every_facts_file_loads_exactly(shared_data: Path, empty_graph: Graph) -> None:
    files = facts_files(shared_data)
    assert len(files) >= 25
    for facts_path in files:
        doc = json.loads(facts_path.read_text())
        path = data_file(shared_data, facts_path)
        wipe(empty_graph)
        load(empty_graph, path)
        blocks = block_facts(doc)
        for f in blocks:
            check_block(empty_graph, f)
        if "aggregate" in doc:
            agg = doc["aggregate"]
            hashes = [f["block_hash"] for f in blocks]
            outs = empty_graph.read("stats/outputs", {"block_hashes": hashes})[0]
            assert outs["outputs"] == agg["output_count_total"]
            assert outs["output_value"] == agg["output_value_sum_sat"]
            assert (outs["addresses"], outs["addresses_excluding_p2pk"]) == (
                agg["distinct_addresses_with_p2pk_as_p2pkh_over_all_blocks"],
                agg["distinct_addresses_count_over_all_blocks"])
            first = empty_graph.read("lookup/block", {"hash": agg["first_block_hash"]})
            last = empty_graph.read("lookup/block", {"hash": agg["last_block_hash"]})
            assert [first[0]["height"], last[0]["height"]] == agg["heights_assumed"]
            # connected to genesis: the main chain; else a detached stretch (BIP34 height)
            status = "main" if agg["heights_assumed"][0] <= 1 else "detached"
            assert {r["status"] for h in hashes
                    for r in empty_graph.read("lookup/block", {"hash": h})} == {status}


@pytest.mark.parametrize("height", ["0277647", "0388381", "0419328", "0709632"])
def test_blocks_with_prevouts_have_fees_and_resolved_inputs(
    shared_data: Path, empty_graph: Graph, height: str
) -> None:
    facts = json.loads((shared_data / f"bitcoin/facts/{height}.inputs.facts.json").read_text())
    raw = shared_data / f"bitcoin/raw/{height}.raw"
    blk = shared_data / "bitcoin/blk/btcd-277647.dat.bz2"
    load(empty_graph, raw if raw.exists() else blk,
         prevouts=(shared_data / f"bitcoin/prevouts/{height}.jsonl",))
    b = empty_graph.read("lookup/block", {"hash": facts["block_hash"]})[0]
    assert b["height"] == int(height)
    assert b["fee_total"] == facts["total_fees_sat"]
    assert b["fee_total"] == b["coinbase_value"] - subsidy(b["height"])
    ins = empty_graph.read("stats/inputs", {"block_hashes": [facts["block_hash"]]})[0]
    n_inputs = facts.get("non_coinbase_inputs",
                         facts.get("inputs_from_view", 0) + facts.get("inputs_from_same_block", 0))
    assert ins["inputs"] == n_inputs
    assert facts["inputs_unresolved"] == 0
    assert ins["resolved"] == ins["inputs"]  # every input has a value ...
    assert ins["without_address"] == facts["inputs_without_address"]
    assert ins["input_value"] == facts["input_value_sum_sat"]
    assert ins["addresses"] == facts["distinct_input_addresses"]
    assert ins["script_types"] == facts["input_script_types"]


def test_block_170_and_balances_of_the_spends_file(shared_data: Path, empty_graph: Graph) -> None:
    load(empty_graph, shared_data / "bitcoin/blk/bitcoinj-blocks-0-438.dat")
    spends = json.loads(
        (shared_data / "bitcoin/facts/bitcoinj-blocks-0-438.dat.spends.json").read_text())
    tx = empty_graph.read("lookup/transaction", {
        "txid": "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"})[0]
    assert tx["height"] == 170
    assert [(i["address"], i["value"]) for i in tx["inputs"]] == [
        ("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", 5_000_000_000)]
    assert tx["outputs"][0]["address"] == "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3"
    assert tx["outputs"][0]["value"] == 1_000_000_000
    assert tx["fee"] == 0
    for t in spends["non_coinbase_txs"]:
        row = empty_graph.read("lookup/transaction", {"txid": t["txid"]})[0]
        assert row["height"] == t["height"]
        assert row["input_value"] == t["input_value_sat"]
        assert row["fee"] == t["fee_sat"]
        assert [a["address"] for a in row["inputs"]] == t["input_addresses"]
        assert [(o["address"], o["value"]) for o in row["outputs"]] == [
            (o["address"], o["value_sat"]) for o in t["outputs"]]
    # Balances: an independent replay of the file in Python (parser only, no database).
    received: dict[str, int] = {}
    sent: dict[str, int] = {}
    utxo: dict[str, tuple[str, int]] = {}
    for sb in iter_blocks(shared_data / "bitcoin/blk/bitcoinj-blocks-0-438.dat"):
        for tx in sb.block.txs:
            if not tx.is_coinbase:
                for i in tx.inputs:
                    addr, value = utxo.pop(f"{i.prev_txid}:{i.vout}")
                    sent[addr] = sent.get(addr, 0) + value
            for o in tx.outputs:
                addr = classify_script(o.script_pubkey, MAINNET).address
                assert addr is not None
                received[addr] = received.get(addr, 0) + o.value
                utxo[f"{tx.txid}:{o.n}"] = (addr, o.value)
    addresses = {a for t in spends["non_coinbase_txs"] for a in t["input_addresses"]} | {
        o["address"] for t in spends["non_coinbase_txs"] for o in t["outputs"]}
    assert len(addresses) == 8
    for address in sorted(addresses):
        a = empty_graph.read("lookup/address", {"address": address})[0]
        assert (a["received"], a["sent"], a["balance"]) == (
            received[address], sent.get(address, 0), received[address] - sent.get(address, 0)
        ), address
    unspent = empty_graph.read("stats/utxo", {})[0]
    assert unspent["utxo_count"] == spends["utxo_count_at_end"]
    assert unspent["utxo_value"] == spends["utxo_value_at_end_sat"]


def test_a_lone_raw_transaction_loads_with_its_facts(shared_data: Path, empty_graph: Graph) -> None:
    facts = json.loads(
        (shared_data / "bitcoin/facts/megatx-5569-inputs.bin.bz2.facts.json").read_text())
    summary = BitcoinLoader(empty_graph).load(
        [shared_data / "bitcoin/tx/megatx-5569-inputs.bin.bz2"])
    assert (summary.lone_txs, summary.blocks_loaded) == (1, 0)
    t = empty_graph.read("lookup/transaction", {"txid": facts["txid"]})[0]
    assert (t["input_count"], t["output_count"], t["output_value"]) == (
        facts["input_count"], facts["output_count"], facts["output_value_sum_sat"])
    assert (t["block_hash"], t["height"], t["input_value"], t["fee"]) == (None, None, None, None)
    assert (t["inputs"][0]["prev_txid"], t["inputs"][0]["vout"]) == (
        facts["first_prevout"]["txid"], facts["first_prevout"]["vout"])
    types: dict[str, int] = {}
    for o in t["outputs"]:
        types[o["script_type"]] = types.get(o["script_type"], 0) + 1
    assert types == facts["output_script_types"]
    assert len({o["address"] for o in t["outputs"] if o["address"]}) == \
        facts["distinct_addresses_count"]
    assert t["size"] == facts["decompressed_size"]
