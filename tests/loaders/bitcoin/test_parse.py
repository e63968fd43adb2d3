"""The parser against the facts of every real file, and its errors on truncated or bad bytes."""

from __future__ import annotations

import bz2
import contextlib
import itertools
import struct
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaintrail.errors import FormatError, VerificationError
from loaders.bitcoin.model import Block, Tx
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.parse import MAX_MONEY, parse_block, parse_header, parse_tx
from loaders.bitcoin.script import classify_script
from loaders.bitcoin.sources import iter_blocks
from loaders.bitcoin.verify import bip34_height, verify_block, witness_commitment


def output_summary(txs: tuple[Tx, ...] | list[Tx]) -> dict[str, Any]:
    """Script type counts and distinct addresses as the facts files count them."""
    types: Counter[str] = Counter()
    addresses: set[str] = set()
    with_p2pk: set[str] = set()
    pubkeys: set[str] = set()
    for tx in txs:
        for out in tx.outputs:
            info = classify_script(out.script_pubkey, MAINNET)
            types[info.script_type] += 1
            if info.address is None:
                continue
            with_p2pk.add(info.address)
            if info.script_type == "p2pk":
                assert info.pubkey is not None
                pubkeys.add(info.pubkey)
            else:
                addresses.add(info.address)
    return {
        "output_script_types": dict(types),
        "distinct_addresses_count": len(addresses),
        "distinct_p2pk_pubkeys_count": len(pubkeys),
        "distinct_addresses_count_with_p2pk_as_p2pkh": len(with_p2pk),
        "addresses": addresses,
        "with_p2pk": with_p2pk,
    }


def block_facts(block: Block) -> dict[str, Any]:
    """Every per-block fact of the facts files, computed from a parsed block."""
    txs = block.txs
    coinbase = txs[0]
    try:
        verify_block(block, MAINNET)
        verified = True
    except VerificationError:
        verified = False
    summary = output_summary(txs)
    commitment = witness_commitment(block)
    return {
        "block_hash": block.hash,
        "version": block.header.version,
        "prev_block_hash": block.header.prev_hash,
        "merkle_root": block.header.merkle_root,
        "merkle_root_recomputed_matches": verified,
        "time": block.header.time,
        "bits": f"{block.header.bits:08x}",
        "nonce": block.header.nonce,
        "pow_valid_for_bits": verified,
        "size_bytes": block.size,
        "stripped_size_bytes": (block.weight - block.size) // 3,
        "weight": block.weight,
        "trailing_bytes_after_block": 0,
        "bip34_height_from_coinbase": bip34_height(block),
        "tx_count": len(txs),
        "segwit_tx_count": sum(tx.has_witness for tx in txs),
        "input_count_total": sum(len(tx.inputs) for tx in txs),
        "input_count_excluding_coinbase": sum(len(tx.inputs) for tx in txs[1:]),
        "output_count_total": sum(len(tx.outputs) for tx in txs),
        "output_value_sum_sat": sum(o.value for tx in txs for o in tx.outputs),
        "coinbase_output_count": len(coinbase.outputs),
        "coinbase_output_value_sat": sum(o.value for o in coinbase.outputs),
        "witness_commitment_present": commitment is not None,
        "witness_commitment_valid": (verified if commitment is not None else None),
        "first_txid": txs[0].txid,
        "last_txid": txs[-1].txid,
        **{k: v for k, v in summary.items() if k not in ("addresses", "with_p2pk")},
    }


def assert_block_matches(block: Block, expected: dict[str, Any]) -> None:
    got = block_facts(block)
    compared = {k: got[k] for k in got if k in expected}
    assert len(compared) >= 30, sorted(set(got) - set(expected))
    assert compared == {k: expected[k] for k in compared}


def test_facts(facts: dict[str, Any]) -> None:
    """Every file with a facts file parses to exactly its facts."""
    path: Path = facts["path"]
    if "facts" in facts:  # one raw block
        block = parse_block(path.read_bytes(), source=str(path), offset=0)
        assert_block_matches(block, facts["facts"])
    elif "blocks" in facts:  # a blk file, plain or bzip2
        blocks = [s.block for s in iter_blocks(path)]
        assert len(blocks) == len(facts["blocks"])
        for block, expected in zip(blocks, facts["blocks"], strict=True):
            assert_block_matches(block, expected)
        agg = facts["aggregate"]
        txs = [tx for b in blocks for tx in b.txs]
        summary = output_summary(txs)
        assert {
            "block_count": len(blocks),
            "first_block_hash": blocks[0].hash,
            "last_block_hash": blocks[-1].hash,
            "tx_count": len(txs),
            "non_coinbase_tx_count": sum(not tx.is_coinbase for tx in txs),
            "input_count_total": sum(len(tx.inputs) for tx in txs),
            "output_count_total": sum(len(tx.outputs) for tx in txs),
            "output_value_sum_sat": sum(o.value for tx in txs for o in tx.outputs),
            "coinbase_output_count": sum(len(b.txs[0].outputs) for b in blocks),
            "distinct_addresses_count_over_all_blocks": len(summary["addresses"]),
            "distinct_addresses_with_p2pk_as_p2pkh_over_all_blocks": len(summary["with_p2pk"]),
            "consecutive_prev_hash_links_ok": all(
                b.header.prev_hash == a.hash for a, b in itertools.pairwise(blocks)
            ),
        } == {k: agg[k] for k in agg if not k.startswith(("heights", "all_", "network", "cross"))}
    else:  # one raw transaction
        data = bz2.decompress(path.read_bytes())
        assert len(data) == facts["decompressed_size"]
        tx = parse_tx(data, source=str(path))
        summary = output_summary([tx])
        assert {
            "txid": tx.txid,
            "wtxid": tx.wtxid,
            "segwit": tx.has_witness,
            "input_count": len(tx.inputs),
            "output_count": len(tx.outputs),
            "output_value_sum_sat": sum(o.value for o in tx.outputs),
            "output_script_types": summary["output_script_types"],
            "distinct_addresses_count": summary["distinct_addresses_count"],
            "first_prevout": {"txid": tx.inputs[0].prev_txid, "vout": tx.inputs[0].vout},
            "trailing_bytes": 0,
        } == {k: v for k, v in facts.items() if k not in ("file", "decompressed_size", "path")}
        assert tx.size == len(data) and tx.weight == 4 * len(data)


def test_every_raw_block_parses_exactly(raw_file: Path) -> None:
    """Also the files without facts: sizes add up and the block fills the file."""
    data = raw_file.read_bytes()
    block = parse_block(data, source=str(raw_file))
    assert block.size == len(data)
    assert block.source == str(raw_file) and block.offset is None
    tx_bytes = sum(tx.size for tx in block.txs)
    assert 80 < len(data) - tx_bytes <= 89  # header and the tx count
    for tx in block.txs:
        stripped = (tx.weight - tx.size) // 3
        assert (stripped == tx.size) == (not tx.has_witness)
        assert (tx.txid == tx.wtxid) == (not tx.has_witness)
    assert parse_block(memoryview(data)) == parse_block(bytearray(data))


# --- errors ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def block_413567(bitcoin_data: Path) -> bytes:
    return (bitcoin_data / "raw" / "0413567.raw").read_bytes()


@pytest.fixture(scope="module")
def block_709632(bitcoin_data: Path) -> bytes:
    return (bitcoin_data / "raw" / "0709632.raw").read_bytes()


def raises_at(data: bytes | bytearray, offset: int, match: str, *, base: int | None = None) -> None:
    with pytest.raises(FormatError, match=match) as e:
        parse_block(bytes(data), source="test.raw", offset=base)
    assert e.value.offset == offset + (base or 0)
    assert e.value.source == "test.raw"
    assert "test.raw at byte offset" in str(e.value)


def test_truncated_header(block_413567: bytes) -> None:
    raises_at(block_413567[:50], 0, "truncated block header: 50 of 80")
    with pytest.raises(FormatError, match="50 of 80"):
        parse_header(block_413567[:50])
    assert parse_header(block_413567).hash == parse_block(block_413567).hash


def test_truncated_tx_count(block_413567: bytes) -> None:
    assert block_413567[80] == 0xFD  # 1557 transactions: a 3-byte CompactSize
    raises_at(block_413567[:82], 80, "no transaction count")


def test_truncated_locktime_is_reported_at_its_offset(block_413567: bytes) -> None:
    n = len(block_413567)
    raises_at(block_413567[:-2], n - 4, "truncated transaction")
    raises_at(block_413567[:-2], n - 4, "truncated transaction", base=1000)


def test_truncated_output_script(block_413567: bytes) -> None:
    last = parse_block(block_413567).txs[-1]
    script = last.outputs[-1].script_pubkey
    start = len(block_413567) - 4 - len(script)
    assert block_413567[start : start + len(script)] == script
    raises_at(block_413567[: start + 3], start, "output script of 25 bytes runs past the end")


def test_truncated_witness_item(block_709632: bytes) -> None:
    block = parse_block(block_709632)
    tx = next(t for t in reversed(block.txs) if t.has_witness)
    item = max(tx.inputs[-1].witness, key=len)
    start = block_709632.index(item)  # witness items (signatures, keys) are unique
    raises_at(block_709632[: start + 5], start, "witness item of")


def test_impossible_counts_are_garbage(block_413567: bytes) -> None:
    header = block_413567[:80]
    raises_at(header + b"\x00", 80, "transaction count 0")
    raises_at(header + b"\xfe\xff\xff\xff\x00" + bytes(100), 80, "transaction count 16777215")
    # the first tx claims 200 inputs in 80 bytes
    raises_at(header + b"\x01" + b"\x01\x00\x00\x00" + b"\xc8" + bytes(80), 85, "input count 200")


def test_non_canonical_compact_size(block_413567: bytes) -> None:
    data = block_413567[:80] + b"\xfd\x01\x00" + block_413567[83:]
    raises_at(data, 80, "non-canonical CompactSize")


def test_bad_segwit_flag(block_709632: bytes) -> None:
    block = parse_block(block_709632)
    assert block.txs[0].has_witness  # the coinbase of a segwit block: marker at 85, flag at 86
    data = bytearray(block_709632)
    start = 80 + 3  # header, 3-byte tx count
    assert data[start + 4 : start + 6] == b"\x00\x01"
    data[start + 5] = 0x02
    raises_at(data, start + 5, "segwit flag byte is 0x02")


def test_superfluous_witness_record() -> None:
    tx = (
        b"\x01\x00\x00\x00\x00\x01"  # version, marker, flag
        + b"\x01" + bytes(32) + b"\x00\x00\x00\x00" + b"\x00" + b"\xff\xff\xff\xff"
        + b"\x01" + (1000).to_bytes(8, "little") + b"\x00"
        + b"\x00"  # one empty witness
        + b"\x00\x00\x00\x00"
    )  # fmt: skip
    with pytest.raises(FormatError, match="superfluous witness") as e:
        parse_tx(tx, source="tx", offset=10)
    assert e.value.offset == 14


def test_output_value_out_of_range(block_413567: bytes) -> None:
    block = parse_block(block_413567)
    last = block.txs[-1]
    script = last.outputs[-1].script_pubkey
    value_at = len(block_413567) - 4 - len(script) - 1 - 8
    (value,) = struct.unpack_from("<Q", block_413567, value_at)
    assert value == last.outputs[-1].value
    data = bytearray(block_413567)
    struct.pack_into("<Q", data, value_at, MAX_MONEY + 1)
    raises_at(data, value_at, "output value 2100000000000001 is out of range")
    struct.pack_into("<q", data, value_at, -1)
    raises_at(data, value_at, "out of range")


def test_trailing_bytes(block_413567: bytes, bitcoin_data: Path) -> None:
    raises_at(block_413567 + b"\x00", len(block_413567), "1 trailing bytes after the block")
    megatx = bz2.decompress((bitcoin_data / "tx" / "megatx-5569-inputs.bin.bz2").read_bytes())
    with pytest.raises(FormatError, match="2 trailing bytes after the transaction") as e:
        parse_tx(megatx + b"\x00\x00")
    assert e.value.offset == len(megatx)


def test_oversized_block_is_refused() -> None:
    with pytest.raises(FormatError, match="exceeds the 4000000-byte maximum"):
        parse_block(bytes(4_000_001))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 999_886))
def test_any_truncation_is_a_format_error_before_the_cut(block_413567: bytes, cut: int) -> None:
    with pytest.raises(FormatError) as e:
        parse_block(block_413567[:cut], source="cut")
    assert e.value.offset is not None and 0 <= e.value.offset <= cut


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_corrupted_bytes_never_crash(block_709632: bytes, data: st.DataObject) -> None:
    """A changed byte parses (verification then fails) or is a FormatError; nothing else."""
    pos = data.draw(st.integers(80, len(block_709632) - 1))
    value = data.draw(st.integers(0, 255))
    changed = bytearray(block_709632)
    changed[pos] = value
    try:
        parse_block(bytes(changed), source="x")
    except FormatError as e:
        assert e.offset is not None and 0 <= e.offset <= len(changed)


@given(st.binary(min_size=0, max_size=400))
def test_random_bytes_are_format_errors(data: bytes) -> None:
    with pytest.raises(FormatError):
        parse_block(data)
    with contextlib.suppress(FormatError):
        parse_tx(data)
