"""The Bitcoin load as a whole: idempotent, order-independent, resumable, and strict on bad
input (a clear error naming file and offset or line; nothing of the bad block written)."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from tests.helpers import CLI, graph_fingerprint, run_cli, wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

MAGIC = bytes.fromhex("f9beb4d9")


def records(path: Path) -> list[tuple[int, bytes]]:
    """(offset, block bytes) of every record of a plain blk file."""
    data = path.read_bytes()
    out, pos = [], 0
    while pos + 8 <= len(data) and data[pos:pos + 4] == MAGIC:
        (n,) = struct.unpack_from("<I", data, pos + 4)
        out.append((pos, data[pos + 8:pos + 8 + n]))
        pos += 8 + n
    return out


def framed(blocks: list[bytes]) -> bytes:
    return b"".join(MAGIC + struct.pack("<I", len(b)) + b for b in blocks)


def block_hash(raw: bytes) -> str:
    from hashlib import sha256
    return sha256(sha256(raw[:80]).digest()).digest()[::-1].hex()


@pytest.fixture(scope="module")
def bitcoinj(shared_data: Path) -> Path:
    return shared_data / "bitcoin" / "blk" / "bitcoinj-blocks-0-438.dat"


@pytest.fixture(scope="module")
def forward_fingerprint(graph: Graph, bitcoinj: Path) -> dict[str, object]:
    wipe(graph)
    BitcoinLoader(graph).load([bitcoinj])
    return graph_fingerprint(graph)


def test_loading_again_changes_nothing(graph: Graph, bitcoinj: Path,
                                       forward_fingerprint: dict[str, object]) -> None:
    wipe(graph)
    BitcoinLoader(graph).load([bitcoinj])
    again = BitcoinLoader(graph).load([bitcoinj])
    assert (again.blocks_loaded, again.blocks_skipped, again.txs) == (0, 439, 0)
    assert graph_fingerprint(graph) == forward_fingerprint


def test_a_lone_transaction_loaded_again_changes_nothing(graph: Graph,
                                                        shared_data: Path) -> None:
    """A raw transaction file loaded a second time (or twice in one load) is skipped: written
    again, its inputs labelled it :Unclustered:Recluster, it was clustered again and gained
    empty `change_heuristics` and `change_outputs` it did not have after the first load."""
    megatx = shared_data / "bitcoin/tx/megatx-5569-inputs.bin.bz2"
    wipe(graph)
    first = BitcoinLoader(graph).load([megatx, megatx])
    once = graph_fingerprint(graph)
    again = BitcoinLoader(graph).load([megatx])
    assert first.clustering is not None and again.clustering is not None
    assert (first.txs, first.lone_txs, first.lone_txs_skipped, first.clustering.txs) == (
        1, 1, 1, 1)
    assert (again.txs, again.inputs, again.lone_txs, again.lone_txs_skipped,
            again.clustering.txs) == (0, 0, 0, 1, 0)
    assert graph_fingerprint(graph) == once


def test_reverse_order_gives_the_same_graph(graph: Graph, bitcoinj: Path, tmp_path: Path,
                                            forward_fingerprint: dict[str, object]) -> None:
    blocks = [raw for _, raw in records(bitcoinj)]
    assert len(blocks) == 439
    reversed_file = tmp_path / "reversed.dat"
    reversed_file.write_bytes(framed(blocks[::-1]))
    wipe(graph)
    BitcoinLoader(graph, batch_txs=50).load([reversed_file])
    assert graph_fingerprint(graph) == forward_fingerprint


# Output 1 of a transaction of block 481815, spent in block 481824 (line 940 of its prevouts).
OUT_481815 = "320c61500d989278f478b5a477081e46309b02bfa0b30e36c542ed2783dccf25:1"


def test_a_block_and_a_later_blocks_prevouts_in_either_order(
    graph: Graph, shared_data: Path
) -> None:
    """An output that a loaded block creates is what the block says, whether the prevouts
    naming it (of a block that spends it) came after or before it: no `prevout_height` or
    `from_coinbase` left from the prevout in reverse order, the same graph either way. The
    change annotations are left out of the comparison: `one_time_change` answers with the data
    loaded when a transaction is clustered (docs/clustering.md), so it depends on order."""
    same = ("source", "updated", "change_heuristics", "change_outputs")
    raw, prevouts = shared_data / "bitcoin/raw", shared_data / "bitcoin/prevouts/0481824.jsonl"
    wipe(graph)
    BitcoinLoader(graph).load([raw / "0481815.raw"])
    BitcoinLoader(graph).load([raw / "0481824.raw"], prevout_files=[prevouts])
    forward = graph_fingerprint(graph, ignore=same)
    with graph.driver.session(database=graph.database) as s:
        out = s.run("MATCH (o:Output {id: $id}) RETURN properties(o) AS p",
                    id=OUT_481815).single(strict=True)["p"]
    assert out == {"id": OUT_481815, "txid": OUT_481815[:64], "n": 1, "value": 1_008_818,
                   "script_type": "p2pkh", "address": "19CnjVD6wKagp34hJuXchbgmyhefE23moN"}
    wipe(graph)
    BitcoinLoader(graph).load([raw / "0481824.raw"], prevout_files=[prevouts])
    BitcoinLoader(graph).load([raw / "0481815.raw"])
    assert graph_fingerprint(graph, ignore=same) == forward


def split_file(bitcoinj: Path, tmp_path: Path, at: int) -> tuple[Path, Path]:
    """The file's first `at` blocks and the rest, as two files."""
    blocks = [raw for _, raw in records(bitcoinj)]
    first, rest = tmp_path / "first.dat", tmp_path / "rest.dat"
    first.write_bytes(framed(blocks[:at]))
    rest.write_bytes(framed(blocks[at:]))
    return first, rest


def test_a_load_that_extends_the_main_chain_skips_chain_placement(
    graph: Graph, bitcoinj: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    forward_fingerprint: dict[str, object],
) -> None:
    """Following the tip: every block of the second load extends the main chain, so it is
    placed as it is written and chain placement (a read of every header) does not run."""
    first, rest = split_file(bitcoinj, tmp_path, 200)
    wipe(graph)
    BitcoinLoader(graph).load([first])
    calls: list[int] = []
    place = BitcoinLoader.place_chain
    monkeypatch.setattr(BitcoinLoader, "place_chain",
                        lambda self: calls.append(1) or place(self))
    BitcoinLoader(graph).load([rest])
    assert calls == []
    assert graph_fingerprint(graph) == forward_fingerprint


def test_blocks_left_unplaced_are_placed_by_the_next_load(
    graph: Graph, bitcoinj: Path, tmp_path: Path, forward_fingerprint: dict[str, object],
) -> None:
    """A block whose stored placement is not what the headers say (a load killed before its
    chain placement) is placed by the next load, even one that only extends the chain."""
    first, rest = split_file(bitcoinj, tmp_path, 200)
    wipe(graph)
    BitcoinLoader(graph).load([first])
    wrong = {"hash": block_hash(records(first)[150][1]), "height": None,
             "status": "detached", "chainwork": "0" * 64}
    graph.write(lambda tx: graph.run_write(tx, "chain/update_blocks", {"rows": [wrong]}),
                "test: unplace a block")
    BitcoinLoader(graph).load([rest])
    assert graph_fingerprint(graph) == forward_fingerprint


def test_sigkill_and_resume_gives_the_same_graph(
    graph: Graph, bitcoinj: Path, cli_env: dict[str, str],
    forward_fingerprint: dict[str, object],
) -> None:
    wipe(graph)
    env = {**cli_env, "CHAINTRAIL_LOAD_BATCH_TXS": "1"}  # one write transaction per block
    proc = subprocess.Popen([str(CLI), "load", "bitcoin", str(bitcoinj)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            n = graph.read("load/bitcoin/loaded_blocks",
                           {"hashes": [block_hash(r) for _, r in records(bitcoinj)]})
            if len(n) >= 40:
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    partial = len(graph.read("chain/headers"))
    assert 40 <= partial < 439
    run_cli(cli_env, "load", "bitcoin", str(bitcoinj))
    assert graph_fingerprint(graph) == forward_fingerprint


def write_bad(tmp_path: Path, bitcoinj: Path, kind: str) -> tuple[Path, int, int]:
    """A copy of the first 100 blocks with block 60 damaged; returns path, offset, good count."""
    recs = records(bitcoinj)[:100]
    data = bytearray(bitcoinj.read_bytes()[: recs[-1][0] + 8 + len(recs[-1][1])])
    off = recs[60][0]
    if kind == "truncated":
        data = data[: off + 8 + 100]
    elif kind == "magic":
        data[off:off + 4] = b"\xde\xad\xbe\xef"
    elif kind == "merkle":
        data[off + 8 + 80 + 50] ^= 0x01  # a byte inside the coinbase transaction
    elif kind == "pow":
        data[off + 8 + 76] ^= 0x01  # the nonce
    path = tmp_path / f"{kind}.dat"
    path.write_bytes(bytes(data))
    return path, off, 60


@pytest.mark.parametrize(("kind", "message"), [
    ("truncated", "truncated"),
    ("magic", "magic"),
    ("merkle", "merkle"),
    ("pow", "above the target"),
])
def test_bad_block_stops_with_file_and_offset_and_keeps_what_came_before(
    graph: Graph, bitcoinj: Path, tmp_path: Path, cli_env: dict[str, str],
    kind: str, message: str,
) -> None:
    wipe(graph)
    path, offset, good = write_bad(tmp_path, bitcoinj, kind)
    proc = run_cli(cli_env, "load", "bitcoin", str(path), check=False)
    assert proc.returncode == 1
    err = " ".join(proc.stderr.split())
    assert str(path) in err and f"offset {offset}" in err, err
    assert message in err.lower(), err
    assert "Traceback" not in proc.stderr
    recs = records(path)
    loaded = graph.read("load/bitcoin/loaded_blocks",
                        {"hashes": [block_hash(r) for _, r in recs[:good + 1]]})
    assert len(loaded) == good  # blocks 0..59 committed, nothing of block 60
    assert graph.read("lookup/block", {"height": good - 1})[0]["status"] == "main"
    assert graph.read("lookup/block", {"height": good}) == []


# Block 9's coinbase output (50 BTC to 12cbQLTF...), as a prevout that says otherwise: 1
# satoshi to another key.
BLOCK9 = "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9"
WRONG = json.dumps({"txid": BLOCK9, "vout": 0, "value": 1, "height": 9, "coinbase": True,
                    "script_pubkey": "76a914e2c7f1d99dea22d82cc13eeeb454bf8de4eee81088ac"})


def test_a_prevout_that_contradicts_a_loaded_block_is_refused(
    graph: Graph, bitcoinj: Path, tmp_path: Path, cli_env: dict[str, str],
    forward_fingerprint: dict[str, object],
) -> None:
    """A verified block's output is what it says: a prevouts file loaded afterwards that says
    otherwise is refused, naming its line, and changes nothing."""
    wipe(graph)
    BitcoinLoader(graph).load([bitcoinj])
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text("\n" + WRONG + "\n")
    proc = run_cli(cli_env, "load", "bitcoin", "--prevouts", str(wrong), str(bitcoinj),
                   check=False)
    assert proc.returncode != 0
    assert f"{wrong} line 2" in proc.stderr and "the loaded transaction" in proc.stderr
    assert graph_fingerprint(graph) == forward_fingerprint
    # the same prevout twice in one file, saying two things: refused too
    twice = tmp_path / "twice.jsonl"
    twice.write_text(WRONG + "\n" + WRONG.replace('"value": 1', '"value": 2') + "\n")
    proc = run_cli(cli_env, "load", "bitcoin", "--prevouts", str(twice), str(bitcoinj),
                   check=False)
    assert proc.returncode != 0 and "contradicts line 1" in proc.stderr


def test_a_block_corrects_a_prevout_loaded_before_it(
    graph: Graph, bitcoinj: Path, tmp_path: Path, forward_fingerprint: dict[str, object],
) -> None:
    """A wrong prevout loaded first (its block not loaded yet) is replaced whole when the
    verified block arrives: value, script and address link; the graph is as if the prevout
    had never been."""
    wipe(graph)
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(WRONG + "\n")
    blocks = [raw for _, raw in records(bitcoinj)]
    rest = tmp_path / "without-9.dat"
    rest.write_bytes(framed(blocks[:9] + blocks[10:]))
    nine = tmp_path / "9.dat"
    nine.write_bytes(framed([blocks[9]]))
    BitcoinLoader(graph).load([rest], prevout_files=[wrong])
    BitcoinLoader(graph).load([nine])
    assert graph_fingerprint(graph) == forward_fingerprint
    lookup = graph.read("lookup/address", {"address": "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"})
    assert lookup[0]["received"] == 19_500_000_000
    assert graph.read("lookup/address", {"address": "1Mg7Eku2SG5v3QedHfjzZaqtSa13y8LHDi"}) == []


def test_bad_prevouts_line_is_named_and_nothing_is_written(
    graph: Graph, shared_data: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    wipe(graph)
    lines = (shared_data / "bitcoin/prevouts/0277647.jsonl").read_text().splitlines()
    lines[2] = lines[2].replace('"value":', '"value":"x",')
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    proc = run_cli(cli_env, "load", "bitcoin", "--prevouts", str(bad),
                   str(shared_data / "bitcoin/blk/btcd-277647.dat.bz2"), check=False)
    assert proc.returncode == 1
    err = " ".join(proc.stderr.split())
    assert str(bad) in err and "line 3" in err, err
    assert graph.read("stats/utxo") == [{"utxo_count": 0, "utxo_value": 0}]
    assert graph.read("chain/headers") == []


def test_cli_load_prints_a_json_summary(graph: Graph, shared_data: Path,
                                        cli_env: dict[str, str]) -> None:
    wipe(graph)
    proc = run_cli(cli_env, "load", "bitcoin",
                   "--prevouts", str(shared_data / "bitcoin/prevouts/0277647.jsonl"),
                   str(shared_data / "bitcoin/blk/btcd-277647.dat.bz2"))
    summary = json.loads(proc.stdout)
    assert {k: summary[k] for k in ("blocks_loaded", "txs", "prevouts")} == {
        "blocks_loaded": 1, "txs": 213, "prevouts": 732}
    assert summary["clustering"]["txs"] == 213
    # the same command again: the block is skipped and the prevouts, known already, change
    # nothing, so no transaction waits for clustering again
    again = json.loads(run_cli(cli_env, "load", "bitcoin", "--prevouts",
                               str(shared_data / "bitcoin/prevouts/0277647.jsonl"),
                               str(shared_data / "bitcoin/blk/btcd-277647.dat.bz2")).stdout)
    assert (again["blocks_loaded"], again["prevouts"], again["clustering"]["txs"]) == (0, 732, 0)


@pytest.mark.parametrize(("raw", "height", "code", "says"), [
    ("0413567.raw", "5", 1, "contradicts the height 413567"),  # BIP34
    ("0000001.raw", "300", 1, "makes it height 1"),  # its parent is the genesis block
    ("0050000.raw", "-5", 2, "--height"),  # no negative height
    ("0050000.raw", "99999999999999999999", 2, "--height"),  # no overflow either
])
def test_a_height_the_block_contradicts_is_refused(
    graph: Graph, shared_data: Path, cli_env: dict[str, str], raw: str, height: str,
    code: int, says: str,
) -> None:
    wipe(graph)
    proc = run_cli(cli_env, "load", "bitcoin", str(shared_data / "bitcoin/raw" / raw),
                   "--height", height, check=False)
    assert proc.returncode == code and says in proc.stderr, proc.stderr
    assert graph.read("chain/headers") == []


@pytest.mark.parametrize(("damage", "says"), [
    ("truncated", "truncated or damaged (Compressed file ended"),
    ("flipped", "truncated or damaged (Invalid data stream)"),
])
def test_a_damaged_bz2_file_is_a_clear_error(shared_data: Path, tmp_path: Path,
                                             cli_env: dict[str, str], damage: str,
                                             says: str) -> None:
    data = bytearray((shared_data / "bitcoin/blk/btcd-blocks-1-255.dat.bz2").read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[5000] ^= 0xFF
    bad = tmp_path / f"{damage}.dat.bz2"
    bad.write_bytes(bytes(data))
    proc = run_cli(cli_env, "load", "bitcoin", str(bad), "--no-cluster", check=False)
    assert proc.returncode == 1 and f"{bad} at byte offset" in proc.stderr, proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr


def test_blocks_of_two_networks_in_one_graph_are_a_warning(
    graph: Graph, bitcoinj: Path, tmp_path: Path, cli_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wipe(graph)
    BitcoinLoader(graph, cluster=False).load([bitcoinj])
    assert "several networks" not in caplog.text
    run_cli(cli_env, "sample", "generate", "--txs", "400", "--seed", "1", str(tmp_path / "s"))
    with caplog.at_level("WARNING", logger="loaders.bitcoin.load"):
        BitcoinLoader(graph, cluster=False).load([tmp_path / "s"])
    assert "several networks (mainnet, regtest)" in caplog.text


def test_a_load_stopped_by_bad_input_clusters_what_it_committed(
    graph: Graph, bitcoinj: Path, tmp_path: Path,
) -> None:
    """The blocks before the bad one stay, placed and clustered as after any load: none of
    their transactions is left waiting for `chaintrail cluster`."""
    from chaintrail.errors import FormatError

    wipe(graph)
    bad, _, good = write_bad(tmp_path, bitcoinj, "truncated")
    with pytest.raises(FormatError, match="truncated"):
        BitcoinLoader(graph, batch_txs=10).load([bad])
    assert len(graph.read("chain/headers")) == good
    assert graph.read("cluster/pending", {"limit": 1}) == []
    assert graph.read("cluster/config")  # the configuration is stored with the result


def test_an_empty_file_named_is_a_clear_error(tmp_path: Path, cli_env: dict[str, str]) -> None:
    empty = tmp_path / "empty.dat"
    empty.write_bytes(b"")
    proc = run_cli(cli_env, "load", "bitcoin", str(empty), "--no-cluster", check=False)
    assert proc.returncode == 1 and f"{empty} at byte offset 0: the file is empty" in proc.stderr
