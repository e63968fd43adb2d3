"""The sample chain: deterministic, valid as Bitcoin data, and its truth.json exact.

Every check recomputes from the blk files through the ordinary reader (`iter_blocks`,
`parse_block`, `verify_block`, `classify_script`), never from the generator's own state, so the
truth is checked against what a loader will see.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chaintrail.errors import ConfigError
from cypher.runner import Graph
from loaders.bitcoin.address import hash160
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.model import Block, Tx
from loaders.bitcoin.network import REGTEST
from loaders.bitcoin.script import classify_script
from loaders.bitcoin.sources import iter_blocks
from loaders.bitcoin.verify import bip34_height, verify_block
from loaders.sample import MAX_BLOCKFILE_SIZE, generate_chain, min_txs
from loaders.sample.generator import _WASABI2_DENOMS, _subsidy
from tests.helpers import wipe

CLI = Path(sys.executable).parent / "chaintrail"
TXS = 3000
SEED = 7
WHIRLPOOL_DENOMS = {100_000, 1_000_000, 5_000_000, 50_000_000}
COINBASE_MATURITY = 100


@dataclass
class Out:
    value: int
    spk: bytes
    height: int
    coinbase: bool
    type: str
    address: str | None


@dataclass
class Chain:
    """What the blk files hold, recomputed independently of the generator."""

    blocks: list[Block] = field(default_factory=list)
    outs: dict[str, Out] = field(default_factory=dict)
    """Every output ever created, by "txid:vout"."""
    spent_by: dict[str, str] = field(default_factory=dict)
    """Spent output -> spending txid."""
    txs: dict[str, Tx] = field(default_factory=dict)
    fees: dict[str, int] = field(default_factory=dict)
    input_outs: dict[str, list[Out]] = field(default_factory=dict)
    """The outputs each non-coinbase transaction spends, in input order."""
    networks: set[str] = field(default_factory=set)
    files: list[str] = field(default_factory=list)


def is_push_only(script: bytes) -> bool:
    pos = 0
    while pos < len(script):
        op = script[pos]
        pos += 1
        if op > 0x60:
            return False
        if op < 0x4C:
            pos += op
        elif op == 0x4C:
            pos += 1 + script[pos]
        elif op == 0x4D:
            pos += 2 + int.from_bytes(script[pos : pos + 2], "little")
        elif op == 0x4E:
            pos += 4 + int.from_bytes(script[pos : pos + 4], "little")
    return pos == len(script)


def pushes(script: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(script):
        op = script[pos]
        pos += 1
        if 0 < op < 0x4C:
            out.append(script[pos : pos + op])
            pos += op
        elif op == 0x4C:
            n = script[pos]
            out.append(script[pos + 1 : pos + 1 + n])
            pos += 1 + n
        elif op == 0:
            out.append(b"")
        else:
            raise AssertionError(f"unexpected opcode {op:#x} in a generated scriptSig")
    return out


def check_spend_shape(prev: Out, script_sig: bytes, witness: tuple[bytes, ...]) -> None:
    """The input carries what spending its prevout's type takes, with matching keys/scripts."""
    spk = prev.spk
    items = pushes(script_sig)
    if prev.type == "p2pkh":
        sig, pk = items
        assert not witness and len(pk) == 33 and hash160(pk) == spk[3:23]
        assert sig[0] == 0x30 and sig[-1] == 0x01 and len(sig) in (71, 72)
    elif prev.type == "p2wpkh":
        assert script_sig == b"" and len(witness) == 2 and hash160(witness[1]) == spk[2:22]
    elif prev.type == "p2sh":
        redeem = items[-1]
        assert hash160(redeem) == spk[2:22]
        if redeem[:2] == b"\x00\x14":  # P2SH-P2WPKH
            assert len(witness) == 2 and hash160(witness[1]) == redeem[2:]
        else:  # 2-of-3 multisig
            assert items[0] == b"" and len(items) == 4 and not witness
    elif prev.type == "p2wsh":
        assert script_sig == b"" and len(witness) == 4 and witness[0] == b""
        assert hashlib.sha256(witness[-1]).digest() == spk[2:]
    elif prev.type == "p2tr":
        assert script_sig == b"" and len(witness) == 1 and len(witness[0]) == 64
    elif prev.type == "p2pk":
        assert len(items) == 1 and not witness
    elif prev.type == "multisig":
        assert items[0] == b"" and len(items) == 2 and not witness
    else:
        raise AssertionError(f"spends an output of type {prev.type}")


def read_chain(out_dir: Path) -> Chain:
    """Parse, verify and replay the whole sample, checking every rule on the way."""
    chain = Chain()
    unspent: set[str] = set()
    prev_hash = "00" * 32
    for height, sourced in enumerate(iter_blocks(out_dir)):
        block = sourced.block
        chain.networks.add(sourced.network.name)
        if Path(block.source).name not in chain.files:
            chain.files.append(Path(block.source).name)
        verify_block(block, REGTEST)
        assert block.header.prev_hash == prev_hash
        assert block.header.time == 1296688602 + 600 * height
        if height == 0:
            assert block.hash == REGTEST.genesis_hash
        else:
            assert bip34_height(block) == height
        prev_hash = block.hash
        chain.blocks.append(block)
        fees = 0
        for i, tx in enumerate(block.txs):
            assert tx.txid not in chain.txs
            chain.txs[tx.txid] = tx
            if i == 0:
                assert tx.is_coinbase
            else:
                spent: list[Out] = []
                for txin in tx.inputs:
                    key = f"{txin.prev_txid}:{txin.vout}"
                    assert key in unspent, f"{tx.txid} spends missing or spent {key}"
                    unspent.remove(key)
                    chain.spent_by[key] = tx.txid
                    prev = chain.outs[key]
                    if prev.coinbase:
                        assert height - prev.height >= COINBASE_MATURITY
                    assert is_push_only(txin.script_sig)
                    check_spend_shape(prev, txin.script_sig, txin.witness)
                    spent.append(prev)
                fee = sum(o.value for o in spent) - sum(o.value for o in tx.outputs)
                assert fee >= 0, tx.txid
                chain.fees[tx.txid] = fee
                chain.input_outs[tx.txid] = spent
                fees += fee
            for out in tx.outputs:
                info = classify_script(out.script_pubkey, REGTEST)
                key = f"{tx.txid}:{out.n}"
                chain.outs[key] = Out(out.value, out.script_pubkey, height, i == 0,
                                      info.script_type, info.address)  # fmt: skip
                if info.script_type == "nulldata":
                    assert out.value == 0
                else:
                    assert out.value >= 546 or tx.is_coinbase
                    unspent.add(key)
        coinbase_value = sum(o.value for o in block.txs[0].outputs)
        assert coinbase_value == (_subsidy(height) if height else 50 * 10**8) + fees
    return chain


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Chain]:
    out = tmp_path_factory.mktemp("sample")
    summary = generate_chain(out, txs=TXS, seed=SEED)
    truth = json.loads(summary.truth_path.read_text())
    return out, truth, read_chain(out)


def owners(truth: dict[str, Any]) -> dict[str, str]:
    """Address or hex script -> entity id; each must have exactly one owner."""
    found: dict[str, str] = {}
    for eid, e in truth["entities"].items():
        for a in [*e["addresses"], *e["scripts"]]:
            assert a not in found, f"{a} owned by {found[a]} and {eid}"
            found[a] = eid
    return found


def owner_of(o: Out, own: dict[str, str]) -> str:
    return own[o.address if o.address is not None else o.spk.hex()]


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    a = generate_chain(tmp_path / "a", txs=1200, seed=11)
    b = generate_chain(tmp_path / "b", txs=1200, seed=11)
    c = generate_chain(tmp_path / "c", txs=1200, seed=12)
    names = [p.name for p in a.files] + ["truth.json"]
    assert names == [p.name for p in b.files] + ["truth.json"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert a.tip == b.tip != c.tip


def test_cli_is_deterministic_across_processes(tmp_path: Path) -> None:
    """Two processes with different hash seeds (set and dict-of-str order) write the same
    bytes; the command prints its summary as JSON."""
    reports = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        args = ["sample", "generate", "--txs", "900", "--seed", "4", str(tmp_path / hash_seed)]
        proc = subprocess.run(
            [str(CLI), *args], env=env, capture_output=True, text=True, timeout=300, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        reports.append(json.loads(proc.stdout))
    assert reports[0]["tip"] == reports[1]["tip"]
    assert reports[0]["txs"] == 900 and reports[0]["files"] == ["blk00000.dat"]
    for name in ("blk00000.dat", "truth.json"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()
    again = subprocess.run([str(CLI), "sample", "generate", "--txs", "900", str(tmp_path / "1")],
                           capture_output=True, text=True, timeout=300, check=False,
                           stdin=subprocess.DEVNULL)  # fmt: skip
    assert again.returncode == 1 and "already holds" in again.stderr


# --- the blocks ------------------------------------------------------------------------------


def test_blocks_are_valid_regtest_data(sample: tuple[Path, dict[str, Any], Chain]) -> None:
    _, truth, chain = sample  # read_chain checked every block, input and value
    assert chain.networks == {"regtest"}
    assert len(chain.txs) == TXS == truth["txs"]
    assert len(chain.blocks) == truth["blocks"]
    assert chain.blocks[-1].hash == truth["tip"]
    assert chain.blocks[0].hash == truth["genesis"] == REGTEST.genesis_hash
    assert all(len(b.txs) == 1 for b in chain.blocks[:101])  # as after generatetoaddress 101
    assert all(len(b.txs) == 200 for b in chain.blocks[101:-1])


def test_blk_files_roll_over_like_core(tmp_path: Path) -> None:
    n = min_txs(50)
    limit = 60_000
    summary = generate_chain(tmp_path, txs=n, seed=3, txs_per_block=50, max_file_size=limit)
    assert len(summary.files) > 3
    assert [p.name for p in summary.files][:2] == ["blk00000.dat", "blk00001.dat"]
    for p in summary.files:  # under the limit, or a single block too big for any file
        assert p.stat().st_size < limit or len(list(iter_blocks(p))) == 1
    chain = read_chain(tmp_path)
    assert chain.files == [p.name for p in summary.files]
    assert len(chain.txs) == n
    assert MAX_BLOCKFILE_SIZE == 128 * 1024 * 1024


# --- truth.json against the blocks -----------------------------------------------------------


def test_counts_match_the_blocks(sample: tuple[Path, dict[str, Any], Chain]) -> None:
    _, truth, chain = sample
    counts = truth["counts"]
    txs = list(chain.txs.values())
    outs = list(chain.outs.values())
    assert counts["tx"] == len(txs)
    assert counts["coinbase_tx"] == len(chain.blocks)
    assert counts["segwit_tx"] == sum(t.has_witness for t in txs)
    assert counts["inputs"] == sum(len(t.inputs) for t in txs)
    assert counts["spends"] == len(chain.spent_by)
    assert counts["outputs"] == len(outs)
    assert counts["output_value"] == sum(o.value for o in outs)
    assert counts["input_value"] == sum(chain.outs[k].value for k in chain.spent_by)
    assert counts["fees"] == sum(chain.fees.values())
    assert counts["subsidy"] == 50 * 10**8 + sum(_subsidy(h) for h in range(1, len(chain.blocks)))
    unspent = [k for k, o in chain.outs.items() if o.type != "nulldata" and k not in chain.spent_by]
    assert counts["unspent_outputs"] == len(unspent)
    assert counts["unspent_value"] == sum(chain.outs[k].value for k in unspent) == counts["subsidy"]
    assert counts["output_script_types"] == dict(sorted(Counter(o.type for o in outs).items()))
    assert counts["addresses"] == len({o.address for o in outs if o.address is not None})
    assert counts["coinjoins"] == len(truth["coinjoins"])
    assert counts["peel_chains"] == len(truth["peel_chains"])
    assert counts["tainted_outputs"] == len(truth["theft"]["tainted_outputs"])


def test_every_address_has_one_known_owner(sample: tuple[Path, dict[str, Any], Chain]) -> None:
    _, truth, chain = sample
    own = owners(truth)
    in_chain = {o.address for o in chain.outs.values() if o.address is not None}
    scripts = {o.spk.hex() for o in chain.outs.values() if o.type == "multisig"}
    assert set(own) == in_chain | scripts
    assert {e["kind"] for e in truth["entities"].values()} == {
        "user", "exchange", "merchant", "mixer", "thief", "miner"}  # fmt: skip
    for a in in_chain:
        assert a.startswith(("bcrt1", "m", "n", "2")), a


def test_multi_input_heuristic_is_sound_outside_coinjoins(
    sample: tuple[Path, dict[str, Any], Chain],
) -> None:
    """Common-input ownership holds for every non-CoinJoin transaction, and every listed
    collaborative CoinJoin really has several owners among its inputs."""
    _, truth, chain = sample
    own = owners(truth)
    cj = {c["txid"]: c for c in truth["coinjoins"]}
    for txid, spent in chain.input_outs.items():
        ids = {owner_of(o, own) for o in spent}
        if txid in cj and cj[txid]["kind"] != "whirlpool_tx0":
            assert len(ids) == cj[txid]["participants"] > 1, cj[txid]
        else:
            assert len(ids) == 1, (txid, ids)


def test_coinjoins_have_their_shapes(sample: tuple[Path, dict[str, Any], Chain]) -> None:
    _, truth, chain = sample
    own = owners(truth)
    kinds = Counter(c["kind"] for c in truth["coinjoins"])
    assert set(kinds) == {"joinmarket", "wasabi1", "wasabi2", "whirlpool_tx0", "whirlpool_mix"}
    for c in truth["coinjoins"]:
        tx = chain.txs[c["txid"]]
        values = Counter(o.value for o in tx.outputs)
        out_owners = [owner_of(chain.outs[f"{tx.txid}:{o.n}"], own) for o in tx.outputs
                      if o.script_pubkey[0] != 0x6A]  # fmt: skip
        if c["kind"] == "whirlpool_mix":
            assert len(tx.inputs) == len(tx.outputs) == 5
            assert values == {c["denomination"]: 5} and c["denomination"] in WHIRLPOOL_DENOMS
            assert chain.fees[tx.txid] > 0
        elif c["kind"] == "whirlpool_tx0":
            premix = [o for o in tx.outputs if c["denomination"] < o.value
                      < c["denomination"] + 3000]  # fmt: skip
            assert premix and any(o.script_pubkey[0] == 0x6A for o in tx.outputs)
            assert "mixer-whirlpool" in out_owners
        elif c["kind"] == "joinmarket":
            assert values[c["denomination"]] == c["participants"] >= 3
        elif c["kind"] == "wasabi1":
            assert values[c["denomination"]] >= 5
            assert 9_000_000 < c["denomination"] < 11_000_000
            assert "mixer-wasabi" in out_owners
            assert all(chain.outs[f"{tx.txid}:{o.n}"].type == "p2wpkh" for o in tx.outputs)
        else:
            assert c["kind"] == "wasabi2"
            assert len(tx.inputs) >= 20
            std = sum(n for v, n in values.items() if v in _WASABI2_DENOMS)
            assert std >= len(tx.outputs) // 2
            assert max(values.values()) >= 2


def test_peel_chains_are_chains(sample: tuple[Path, dict[str, Any], Chain]) -> None:
    _, truth, chain = sample
    assert truth["peel_chains"]
    assert max(len(p) for p in truth["peel_chains"]) >= 5
    for peel in truth["peel_chains"]:
        for a, b in itertools.pairwise(peel):
            tx_b = chain.txs[b]
            assert len(tx_b.inputs) == 1 and tx_b.inputs[0].prev_txid == a
            assert len(chain.txs[a].outputs) == 2
            change = chain.outs[f"{a}:{tx_b.inputs[0].vout}"]
            other = chain.outs[f"{a}:{1 - tx_b.inputs[0].vout}"]
            assert change.value > other.value  # the large rest goes on


def test_theft_and_poison_taint(sample: tuple[Path, dict[str, Any], Chain]) -> None:
    _, truth, chain = sample
    own = owners(truth)
    theft = truth["theft"]
    assert truth["entities"][theft["victim_entity"]]["kind"] == "user"
    assert truth["entities"][theft["thief_entity"]]["kind"] == "thief"
    assert truth["entities"][theft["cashout_exchange"]]["kind"] == "exchange"
    stolen = theft["stolen_outputs"]
    assert len(stolen) >= 3
    for key in stolen:
        assert owner_of(chain.outs[key], own) == theft["victim_entity"]
        assert chain.spent_by[key] == theft["theft_txid"]
    assert theft["stolen_value"] == sum(chain.outs[k].value for k in stolen)
    # Poison taint recomputed from the blocks: any tainted input taints every output.
    dirty = set(stolen)
    tainted: list[str] = []
    for tx in chain.txs.values():  # block order is a topological order
        if any(f"{i.prev_txid}:{i.vout}" in dirty for i in tx.inputs):
            keys = [f"{tx.txid}:{o.n}" for o in tx.outputs]
            dirty.update(keys)
            tainted.extend(keys)
    assert theft["tainted_outputs"] == tainted
    assert theft["tainted_value"] == sum(chain.outs[k].value for k in tainted)
    # The laundering path: theft -> peel chain -> CoinJoin -> exchange deposit.
    path = theft["laundering_txids"]
    assert path[0] == theft["theft_txid"] and path[-1] == theft["cashout_txid"]
    assert path[1:-2] == theft["peel_chain"] and theft["peel_chain"] in truth["peel_chains"]
    assert path[-2] == theft["coinjoin_txid"]
    assert theft["coinjoin_txid"] in {c["txid"] for c in truth["coinjoins"]}
    for a, b in itertools.pairwise(path):
        assert any(i.prev_txid == a for i in chain.txs[b].inputs)
    (cash,) = theft["cashout_outputs"]
    assert cash in tainted
    assert owner_of(chain.outs[cash], own) == theft["cashout_exchange"]
    assert chain.outs[cash].address == theft["cashout_address"]


def test_mix_has_every_feature(sample: tuple[Path, dict[str, Any], Chain]) -> None:
    _, truth, chain = sample
    own = owners(truth)
    types = truth["counts"]["output_script_types"]
    assert {"p2pkh", "p2wpkh", "p2sh", "p2wsh", "p2tr", "p2pk", "multisig", "nulldata"} <= set(
        types)
    assert max(types, key=types.__getitem__) == "p2pkh"
    assert types["p2pk"] + types["multisig"] < 0.05 * truth["counts"]["outputs"]
    spent_types = Counter(chain.outs[k].type for k in chain.spent_by)
    assert {"p2pkh", "p2wpkh", "p2sh", "p2wsh", "p2tr"} <= set(spent_types)
    kinds = Counter(e["kind"] for e in truth["entities"].values())
    assert kinds["exchange"] >= 3 and kinds["merchant"] >= 5 and kinds["user"] >= 50
    reuse = consolidations = multi_input = fresh_change = 0
    for txid, spent in chain.input_outs.items():
        in_addrs = {o.address for o in spent}
        outs = [chain.outs[f"{txid}:{o.n}"] for o in chain.txs[txid].outputs]
        if len(spent) > 1:
            multi_input += 1
        if in_addrs & {o.address for o in outs}:
            reuse += 1
        ids = {owner_of(o, own) for o in spent}
        if len(spent) >= 10 and len(outs) == 1 and ids == {owner_of(outs[0], own)}:
            consolidations += truth["entities"][ids.pop()]["kind"] == "exchange"
        elif len(ids) == 1 and len(outs) == 2:
            mine = [o for o in outs if owner_of(o, own) in ids]
            fresh_change += len(mine) == 1 and mine[0].address not in in_addrs
    assert reuse > 10 and consolidations > 3 and fresh_change > 100
    assert multi_input > 0.2 * len(chain.input_outs)
    # Exchanges: many deposits, each customer with one reused deposit address.
    for eid, e in truth["entities"].items():
        if e["kind"] == "exchange":
            assert len(e["addresses"]) > 10, eid


# --- arguments -------------------------------------------------------------------------------


def test_too_few_transactions_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least"):
        generate_chain(tmp_path, txs=min_txs() - 1, seed=1)
    with pytest.raises(ConfigError, match="at least 2"):
        generate_chain(tmp_path, txs=10_000, seed=1, txs_per_block=1)


def test_smallest_sample_has_every_scripted_feature(tmp_path: Path) -> None:
    summary = generate_chain(tmp_path, txs=min_txs(), seed=5)
    truth = json.loads(summary.truth_path.read_text())
    read_chain(tmp_path)
    assert {c["kind"] for c in truth["coinjoins"]} >= {
        "joinmarket", "wasabi1", "wasabi2", "whirlpool_tx0", "whirlpool_mix"}  # fmt: skip
    assert "cashout_txid" in truth["theft"]


def test_existing_sample_is_not_overwritten_silently(tmp_path: Path) -> None:
    generate_chain(tmp_path, txs=min_txs(), seed=1)
    with pytest.raises(ConfigError, match="already holds"):
        generate_chain(tmp_path, txs=min_txs(), seed=2)
    summary = generate_chain(tmp_path, txs=min_txs(), seed=2, overwrite=True)
    assert json.loads(summary.truth_path.read_text())["seed"] == 2


# --- the sample in the graph -----------------------------------------------------------------


@pytest.mark.neo4j
def test_sample_loads_as_its_truth_says(
    graph: Graph, sample: tuple[Path, dict[str, Any], Chain]
) -> None:
    """The ordinary loader reads the sample as regtest, places every block on the main chain
    (anchored at Core's regtest genesis) and stores exactly the truth's counts and addresses."""
    out, truth, _ = sample
    wipe(graph)
    summary = BitcoinLoader(graph).load([out])
    counts = truth["counts"]
    assert (summary.blocks_loaded, summary.txs) == (truth["blocks"], counts["tx"])
    with graph.driver.session(database=graph.database) as s:
        row = s.run(
            "MATCH (b:Block) WITH count(b) AS blocks, max(b.height) AS top, "
            "collect(DISTINCT b.status) AS statuses "
            "MATCH (t:Transaction) WITH blocks, top, statuses, count(t) AS txs "
            "MATCH (o:Output) WITH blocks, top, statuses, txs, count(o) AS outputs, "
            "sum(o.value) AS value "
            "MATCH ()-[s:SPENT_BY]->() RETURN blocks, top, statuses, txs, outputs, value, "
            "count(s) AS spends"
        ).single()
        addresses = {r["a"] for r in s.run("MATCH (a:Address) RETURN a.address AS a")}
    assert row is not None
    assert row["blocks"] == truth["blocks"] and row["top"] == truth["blocks"] - 1
    assert row["statuses"] == ["main"]
    assert (row["txs"], row["outputs"], row["value"], row["spends"]) == (
        counts["tx"], counts["outputs"], counts["output_value"], counts["spends"])  # fmt: skip
    truth_addresses = {a for e in truth["entities"].values() for a in e["addresses"]}
    assert addresses == truth_addresses
    wipe(graph)


def test_hub_share_makes_a_super_node_and_is_off_by_default(
    tmp_path: Path, sample: tuple[Path, dict[str, Any], Chain],
) -> None:
    """--hub-share: a gambling service's one address takes the bets (and its payouts' change),
    so it is the busiest address by far; the chain stays valid. Off (the default), there is no
    such entity, and the other tests' chains are what they were."""
    _, plain, _ = sample
    assert not any(eid.startswith("gambling") for eid in plain["entities"])
    out = tmp_path / "hub"
    summary = generate_chain(out, txs=6000, seed=SEED, hub_share=0.12)
    truth = json.loads(summary.truth_path.read_text())
    chain = read_chain(out)  # every block and spend valid, as for the plain sample
    paid = Counter(o.address for o in chain.outs.values() if o.address is not None)
    (busiest, n), (_, second) = paid.most_common(2)
    assert truth["entities"]["gambling-dice"]["addresses"] == [busiest]
    assert n > 2 * second and n > 0.1 * len(chain.txs)
    spent_from = sum(1 for key, o in chain.outs.items()
                     if o.address == busiest and key in chain.spent_by)
    assert spent_from > 0.3 * n  # the payouts spend its bets in bulk
    with pytest.raises(ConfigError):
        generate_chain(tmp_path / "bad", txs=6000, seed=SEED, hub_share=1.0)
