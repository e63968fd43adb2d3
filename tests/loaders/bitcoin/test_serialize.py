"""Serialization: the exact inverse of the parser on real blocks, and blocks built in memory
that the verifier accepts (merkle root, proof of work, witness commitment, BIP34 height)."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chaintrail.errors import VerificationError
from loaders.bitcoin.model import COINBASE_PREV_TXID, COINBASE_PREV_VOUT, Tx, TxIn, TxOut
from loaders.bitcoin.network import MAINNET, REGTEST
from loaders.bitcoin.parse import parse_block, parse_tx
from loaders.bitcoin.serialize import (
    REGTEST_BITS,
    bip34_script_sig,
    build_block,
    coinbase_tx,
    compact_size,
    make_tx,
    push_data,
    script_num,
    serialize_block,
    serialize_header,
    serialize_tx,
)
from loaders.bitcoin.sources import iter_blocks
from loaders.bitcoin.verify import bip34_height, header_hash, verify_block, witness_commitment

GENESIS_SCRIPT_SIG = bytes.fromhex(
    "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e20"
    "6272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73"
)
GENESIS_SPK = bytes.fromhex(
    "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e5"
    "1ec112de5c384df7ba0b8d578a4c702b6bf11d5fac"
)


# --- real data: serialize(parse(bytes)) == bytes ---------------------------------------------


def test_real_raw_block_round_trips(raw_file: Path) -> None:
    raw = raw_file.read_bytes()
    block = parse_block(raw, source=str(raw_file))
    assert serialize_block(block) == raw
    assert serialize_header(block.header) == raw[:80]
    for tx in block.txs:
        rebuilt = make_tx(tx.inputs, tx.outputs, version=tx.version, locktime=tx.locktime)
        assert rebuilt == tx  # txid, wtxid, size and weight recomputed from the model


def test_real_blk_records_round_trip(blk_file: Path) -> None:
    data = blk_file.read_bytes()
    if data[:3] == b"BZh":
        data = bz2.decompress(data)
    n = 0
    for sourced in iter_blocks(blk_file):
        block = sourced.block
        assert block.offset is not None
        start = block.offset + 8
        assert serialize_block(block) == data[start : start + block.size]
        n += 1
    assert n > 0


def test_real_megatx_round_trips(bitcoin_data: Path) -> None:
    path = bitcoin_data / "tx" / "megatx-5569-inputs.bin.bz2"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    raw = bz2.decompress(path.read_bytes())
    tx = parse_tx(raw)
    assert serialize_tx(tx) == raw
    assert make_tx(tx.inputs, tx.outputs, version=tx.version, locktime=tx.locktime) == tx


def test_stripped_form_hashes_to_the_txid(bitcoin_data: Path) -> None:
    path = bitcoin_data / "raw" / "0709632.raw"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    raw = path.read_bytes()
    block = parse_block(raw)
    segwit = [t for t in block.txs if t.has_witness]
    assert segwit
    for tx in segwit[:50]:
        stripped = serialize_tx(tx, include_witness=False)
        assert parse_tx(stripped).txid == tx.txid
        assert len(stripped) * 3 + tx.size == tx.weight


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "encoded"),
    [
        (0, "00"),
        (0xFC, "fc"),
        (0xFD, "fdfd00"),
        (0xFFFF, "fdffff"),
        (0x10000, "fe00000100"),
        (0xFFFFFFFF, "feffffffff"),
        (0x100000000, "ff0000000001000000"),
    ],
)
def test_compact_size_is_canonical(n: int, encoded: str) -> None:
    assert compact_size(n).hex() == encoded


@pytest.mark.parametrize(
    ("size", "prefix"),
    [(0, "00"), (75, "4b"), (76, "4c4c"), (255, "4cff"), (256, "4d0001"), (65536, "4e00000100")],
)
def test_push_data_uses_the_smallest_opcode(size: int, prefix: str) -> None:
    data = bytes(size)
    assert push_data(data) == bytes.fromhex(prefix) + data


@pytest.mark.parametrize(
    ("n", "encoded"),
    [
        (0, "00"),
        (1, "51"),
        (16, "60"),
        (-1, "4f"),
        (17, "0111"),
        (127, "017f"),
        (128, "028000"),
        (255, "02ff00"),
        (256, "020001"),
        (-2, "0182"),
        (227931, "035b7a03"),
    ],
)
def test_script_num_matches_core(n: int, encoded: str) -> None:
    assert script_num(n).hex() == encoded


def test_bip34_script_sig_pads_small_heights_and_bounds_length() -> None:
    assert bip34_script_sig(5) == b"\x55\x00"  # Core's miner: CScript() << 5 << OP_0
    assert bip34_script_sig(200, b"x") == b"\x02\xc8\x00\x01x"
    with pytest.raises(ValueError, match="exceeds 100"):
        bip34_script_sig(1, bytes(99))


# --- blocks built in memory ------------------------------------------------------------------


def _p2wpkh_spend(prev: Tx) -> Tx:
    sig = b"\x30" + bytes(70)
    txin = TxIn(prev.txid, 0, b"", 0xFFFFFFFD, (sig, b"\x02" + bytes(32)))
    return make_tx([txin], [TxOut(0, prev.outputs[0].value - 1000, b"\x00\x14" + bytes(20))])


def test_regtest_genesis_is_rebuilt_exactly() -> None:
    txin = TxIn(COINBASE_PREV_TXID, COINBASE_PREV_VOUT, GENESIS_SCRIPT_SIG, 0xFFFFFFFF)
    cb = make_tx([txin], [TxOut(0, 50 * 10**8, GENESIS_SPK)], version=1)
    assert cb.txid == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
    block = build_block(
        "00" * 32, [cb], time=1296688602, version=1, first_nonce=2, max_tries=1
    )
    assert block.hash == REGTEST.genesis_hash
    verify_block(parse_block(serialize_block(block)), REGTEST)


@pytest.mark.parametrize("height", [1, 16, 17, 300, 70000])
def test_built_block_with_witness_verifies(height: int) -> None:
    funding = make_tx(
        [TxIn("11" * 32, 0, b"\x00", 0xFFFFFFFF)], [TxOut(0, 10**8, b"\x00\x14" + bytes(20))]
    )
    spend = _p2wpkh_spend(funding)
    txs = [funding, spend]
    cb = coinbase_tx(
        height, [(50 * 10**8 + 1000, b"\x51\x20" + bytes(32))],
        witness_wtxids=[t.wtxid for t in txs], tag=b"/test/",
    )  # fmt: skip
    block = build_block("22" * 32, [cb, *txs], time=1_700_000_000)
    raw = serialize_block(block)
    parsed = parse_block(raw)
    assert parsed == block
    assert parsed.size == len(raw)
    assert header_hash(parsed.header) == block.hash
    verify_block(parsed, REGTEST)
    assert witness_commitment(parsed) is not None
    assert bip34_height(parsed) == height


def test_missing_or_wrong_witness_commitment_fails_verification() -> None:
    funding = make_tx(
        [TxIn("11" * 32, 0, b"\x00", 0xFFFFFFFF)], [TxOut(0, 10**8, b"\x00\x14" + bytes(20))]
    )
    spend = _p2wpkh_spend(funding)
    bare = coinbase_tx(5, [(50 * 10**8, b"\x51")])
    with pytest.raises(VerificationError, match="no commitment"):
        verify_block(parse_block(serialize_block(build_block("00" * 32, [bare, spend],
                                                             time=1))), REGTEST)  # fmt: skip
    wrong = coinbase_tx(5, [(50 * 10**8, b"\x51")], witness_wtxids=[funding.wtxid])
    with pytest.raises(VerificationError, match="witness commitment"):
        verify_block(build_block("00" * 32, [wrong, spend], time=1), REGTEST)


def test_mined_block_meets_regtest_but_not_mainnet_target() -> None:
    block = build_block("00" * 32, [coinbase_tx(1, [(1, b"\x51")])], time=1)
    assert block.header.bits == REGTEST_BITS
    verify_block(block, REGTEST)
    with pytest.raises(VerificationError, match="proof-of-work limit"):
        verify_block(block, MAINNET)


def test_mining_gives_up_on_a_hard_target() -> None:
    with pytest.raises(ValueError, match="no nonce"):
        build_block("00" * 32, [coinbase_tx(1, [(1, b"\x51")])], time=1, bits=0x1D00FFFF,
                    max_tries=50)  # fmt: skip


def test_block_must_start_with_a_coinbase() -> None:
    tx = make_tx([TxIn("11" * 32, 0, b"", 0)], [TxOut(0, 1, b"\x51")])
    with pytest.raises(ValueError, match="coinbase"):
        build_block("00" * 32, [tx], time=1)


def test_make_tx_checks_output_numbering() -> None:
    with pytest.raises(ValueError, match="n=1"):
        make_tx([TxIn("11" * 32, 0, b"", 0)], [TxOut(1, 1, b"\x51")])


# --- property: whatever is built parses back to itself ---------------------------------------

_hashes = st.binary(min_size=32, max_size=32).map(lambda b: b.hex())
_witness = st.lists(st.binary(max_size=80), max_size=4).map(tuple)
_inputs = st.builds(
    TxIn, _hashes, st.integers(0, 0xFFFFFFFE), st.binary(max_size=300),
    st.integers(0, 0xFFFFFFFF), _witness,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    inputs=st.lists(_inputs, min_size=1, max_size=6),
    outputs=st.lists(st.tuples(st.integers(0, 21 * 10**14), st.binary(max_size=300)),
                     max_size=6),
    version=st.integers(-(2**31), 2**31 - 1),
    locktime=st.integers(0, 0xFFFFFFFF),
)  # fmt: skip
def test_built_transactions_parse_back(
    inputs: list[TxIn], outputs: list[tuple[int, bytes]], version: int, locktime: int
) -> None:
    if inputs[0].prev_txid == COINBASE_PREV_TXID:
        return
    outs = [TxOut(n, v, s) for n, (v, s) in enumerate(outputs)]
    tx = make_tx(inputs, outs, version=version, locktime=locktime)
    raw = serialize_tx(tx)
    parsed = parse_tx(raw)
    # A witness stack with no items is () whether written or not; the model keeps that.
    assert parsed == tx
    assert tx.size == len(raw)
