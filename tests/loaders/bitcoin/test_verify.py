"""Block self-checks: every real block passes; a changed byte, nonce or witness fails."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from chaintrail.errors import VerificationError
from loaders.bitcoin.model import Block, BlockHeader, Tx, TxIn
from loaders.bitcoin.network import MAINNET, REGTEST
from loaders.bitcoin.parse import parse_block
from loaders.bitcoin.sources import iter_blocks
from loaders.bitcoin.verify import (
    bip34_height,
    bits_to_target,
    block_work,
    header_hash,
    merkle_root,
    verify_block,
    witness_commitment,
)


def test_every_raw_block_verifies(raw_file: Path) -> None:
    block = parse_block(raw_file.read_bytes(), source=str(raw_file))
    verify_block(block, MAINNET)
    assert merkle_root(tx.txid for tx in block.txs) == block.header.merkle_root
    # the files are named by height; BIP34 states it from version 2 on
    height = int(raw_file.stem)
    assert bip34_height(block) == (height if block.header.version >= 2 else None)


def test_every_blk_block_verifies(blk_file: Path) -> None:
    blocks = list(iter_blocks(blk_file))
    assert blocks
    for sourced in blocks:
        verify_block(sourced.block, sourced.network)


@pytest.fixture(scope="module")
def raw_413567(bitcoin_data: Path) -> bytes:
    return (bitcoin_data / "raw" / "0413567.raw").read_bytes()


@pytest.fixture(scope="module")
def raw_709632(bitcoin_data: Path) -> bytes:
    return (bitcoin_data / "raw" / "0709632.raw").read_bytes()


def test_flipped_byte_in_a_tx_fails_merkle(raw_413567: bytes) -> None:
    data = bytearray(raw_413567)
    data[-5] ^= 0x01  # last byte of the last output script
    block = parse_block(bytes(data), source="flipped.raw", offset=0)
    with pytest.raises(VerificationError, match=r"merkle root .* does not match") as e:
        verify_block(block, MAINNET)
    assert (e.value.source, e.value.offset) == ("flipped.raw", 0)


def test_changed_nonce_fails_pow(raw_413567: bytes) -> None:
    data = bytearray(raw_413567)
    data[76] ^= 0x01  # nonce: header bytes 76..79
    with pytest.raises(VerificationError, match="hash is above the target"):
        verify_block(parse_block(bytes(data)), MAINNET)


def test_header_fields_must_hash_to_the_header_hash(raw_413567: bytes) -> None:
    block = parse_block(raw_413567)
    header = dataclasses.replace(block.header, nonce=block.header.nonce + 1)
    with pytest.raises(VerificationError, match="header hash does not match its fields"):
        verify_block(dataclasses.replace(block, header=header), MAINNET)


def with_header(block: Block, **changes: int) -> Block:
    header = dataclasses.replace(block.header, **changes)
    return dataclasses.replace(block, header=dataclasses.replace(header, hash=header_hash(header)))


def test_target_above_the_network_limit(raw_413567: bytes) -> None:
    block = with_header(parse_block(raw_413567), bits=0x1D01FFFF)
    with pytest.raises(VerificationError, match="above the mainnet proof-of-work limit"):
        verify_block(block, MAINNET)
    for bits, reason in ((0x1D800001, "negative"), (0xFF123456, "overflow"), (0x1D000000, "zero")):
        with pytest.raises(VerificationError, match=reason):
            verify_block(with_header(parse_block(raw_413567), bits=bits), MAINNET)


def test_regtest_difficulty(bitcoin_data: Path) -> None:
    """A block mined at regtest's limit passes on regtest and fails on mainnet."""
    genesis = parse_block((bitcoin_data / "raw" / "0000000.raw").read_bytes())
    nonce = 0
    while True:
        block = with_header(genesis, bits=0x207FFFFF, nonce=nonce)
        if int(block.hash, 16) <= bits_to_target(0x207FFFFF):
            break
        nonce += 1
    verify_block(block, REGTEST)
    with pytest.raises(VerificationError, match="mainnet proof-of-work limit"):
        verify_block(block, MAINNET)


def test_segwit_witness_commitment(raw_709632: bytes) -> None:
    block = parse_block(raw_709632)
    assert witness_commitment(block) is not None
    assert block.txs[0].inputs[0].witness == (bytes(32),)
    verify_block(block, MAINNET)
    # change one byte of a witness signature: txids (and the merkle root) stay, wtxids change
    tx = next(t for t in reversed(block.txs) if t.has_witness)
    item = max(tx.inputs[0].witness, key=len)
    at = raw_709632.index(item) + 10
    data = bytearray(raw_709632)
    data[at] ^= 0x01
    changed = parse_block(bytes(data))
    assert [t.txid for t in changed.txs] == [t.txid for t in block.txs]
    with pytest.raises(VerificationError, match="witness commitment does not match"):
        verify_block(changed, MAINNET)


def test_witness_without_commitment_or_reserved_value(raw_709632: bytes) -> None:
    block = parse_block(raw_709632)
    coinbase = block.txs[0]
    no_reserved = dataclasses.replace(
        coinbase, inputs=(dataclasses.replace(coinbase.inputs[0], witness=()),)
    )
    with pytest.raises(VerificationError, match="32-byte reserved value"):
        verify_block(rebuild(block, (no_reserved, *block.txs[1:])), MAINNET)
    no_commitment = dataclasses.replace(
        coinbase,
        outputs=tuple(o for o in coinbase.outputs if not o.script_pubkey.startswith(b"\x6a\x24")),
    )
    with pytest.raises(VerificationError, match="no commitment"):
        verify_block(rebuild(block, (no_commitment, *block.txs[1:])), MAINNET)


def rebuild(block: Block, txs: tuple[Tx, ...]) -> Block:
    """The block with other transactions and a header committing to them (PoW then fails,
    but merkle and witness checks run first)."""
    return dataclasses.replace(
        with_header(block, merkle_root=merkle_root(t.txid for t in txs)), txs=txs
    )


def test_duplicated_tail_is_a_mutated_merkle_tree(raw_413567: bytes) -> None:
    """CVE-2012-2459: with an odd count, repeating the last tx keeps the merkle root."""
    block = parse_block(raw_413567)
    assert len(block.txs) % 2 == 1
    mutated = dataclasses.replace(block, txs=(*block.txs, block.txs[-1]))
    assert merkle_root(t.txid for t in mutated.txs) == block.header.merkle_root
    with pytest.raises(VerificationError, match="CVE-2012-2459"):
        verify_block(mutated, MAINNET)


def test_coinbase_position(raw_413567: bytes) -> None:
    block = parse_block(raw_413567)
    with pytest.raises(VerificationError, match="first transaction is not a coinbase"):
        verify_block(rebuild(block, block.txs[1:]), MAINNET)
    with pytest.raises(VerificationError, match="after the first is a coinbase"):
        verify_block(rebuild(block, (*block.txs, block.txs[0])), MAINNET)


def test_bits_and_work() -> None:
    assert bits_to_target(0x1D00FFFF) == 0xFFFF << 208
    assert bits_to_target(0x03123456) == 0x123456
    assert bits_to_target(0x02123456) == 0x1234
    assert bits_to_target(0x01003456) == 0
    assert block_work(0x1D00FFFF) == 0x100010001
    assert block_work(0x207FFFFF) == 2
    assert block_work(0x1D800001) == 0 and block_work(0x01003456) == 0
    with pytest.raises(ValueError, match="negative"):
        bits_to_target(0x04923456)
    with pytest.raises(ValueError, match="overflow"):
        bits_to_target(0x23000001)
    with pytest.raises(ValueError):
        merkle_root([])


def coinbase_block(script_sig: bytes, version: int = 2) -> Block:
    coinbase = Tx(
        txid="00" * 32,
        wtxid="00" * 32,
        version=1,
        locktime=0,
        inputs=(TxIn("0" * 64, 0xFFFFFFFF, script_sig, 0xFFFFFFFF),),
        outputs=(),
        size=0,
        weight=0,
    )
    header = BlockHeader("00" * 32, version, "00" * 32, "00" * 32, 0, 0, 0)
    return Block(header=header, txs=(coinbase,), size=0, weight=0)


@pytest.mark.parametrize(
    ("script_sig", "version", "height"),
    [
        (bytes.fromhex("03400d03") + b"extra", 2, 200_000),
        (bytes.fromhex("03400d03"), 1, None),  # version 1: no BIP34
        (b"\x51", 2, 1),  # OP_1 .. OP_16, as Core writes heights 1..16
        (b"\x60", 4, 16),
        (b"\x01\x11", 2, 17),
        (b"\x02\x80\x00", 2, 128),  # the 0x00 keeps 0x80 positive: minimal
        (b"\x02\x05\x00", 2, None),  # not minimal
        (b"\x01\x81", 2, None),  # negative
        (b"\x01\x00", 2, None),  # zero must be OP_0
        (b"\x04\xff\xff\xff\x7f", 2, 0x7FFFFFFF),
        (b"\x05\x01\x02\x03\x04\x05", 2, None),  # more than 4 bytes
        (b"\x03\x01\x02", 2, None),  # truncated push
        (b"", 2, None),
        (b"\x4c\x03\x40\x0d\x03", 2, None),  # OP_PUSHDATA1 is not what BIP34 writes
    ],
)
def test_bip34_height_rule(script_sig: bytes, version: int, height: int | None) -> None:
    assert bip34_height(coinbase_block(script_sig, version)) == height
