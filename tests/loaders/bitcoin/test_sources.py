"""Block sources: blk files (plain, bzip2, XOR-obfuscated directories), raw blocks, bad framing."""

from __future__ import annotations

import bz2
import os
from pathlib import Path

import pytest

from chaintrail.errors import FormatError, InputError, ParameterError
from loaders.bitcoin.network import MAINNET, TESTNET
from loaders.bitcoin.sources import SourcedBlock, SourcedTx, detect_network, iter_blocks, iter_items


def records(data: bytes) -> list[bytes]:
    """The blk records (framing included) of a plain blk file."""
    out, pos = [], 0
    while pos < len(data):
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        out.append(data[pos : pos + 8 + length])
        pos += 8 + length
    return out


def xor(data: bytes, key: bytes) -> bytes:
    return bytes(b ^ key[i % 8] for i, b in enumerate(data))


@pytest.fixture(scope="module")
def bitcoinj(bitcoin_data: Path) -> Path:
    return bitcoin_data / "blk" / "bitcoinj-blocks-0-438.dat"


@pytest.fixture(scope="module")
def bitcoinj_records(bitcoinj: Path) -> list[bytes]:
    return records(bitcoinj.read_bytes())


def assert_offsets(blocks: list[SourcedBlock], recs: list[bytes], source: Path) -> None:
    offset = 0
    for sourced, rec in zip(blocks, recs, strict=True):
        assert (sourced.block.source, sourced.block.offset) == (str(source), offset)
        assert sourced.block.size == len(rec) - 8
        offset += len(rec)


def test_plain_blk_file(bitcoinj: Path, bitcoinj_records: list[bytes]) -> None:
    blocks = list(iter_blocks(bitcoinj))
    assert len(blocks) == 439 == len(bitcoinj_records)
    assert blocks[0].block.hash == MAINNET.genesis_hash
    assert {b.network for b in blocks} == {MAINNET}
    assert_offsets(blocks, bitcoinj_records, bitcoinj)
    assert detect_network(bitcoinj) == MAINNET


def test_bz2_blk_file(bitcoin_data: Path) -> None:
    path = bitcoin_data / "blk" / "btcd-blocks-1-255.dat.bz2"
    blocks = list(iter_blocks(path))
    assert len(blocks) == 255
    # offsets are in the decompressed stream
    assert_offsets(blocks, records(bz2.decompress(path.read_bytes())), path)


def test_bz2_is_detected_by_content_not_name(tmp_path: Path, bitcoinj: Path) -> None:
    odd = tmp_path / "blocks.bin"
    odd.write_bytes(bz2.compress(bitcoinj.read_bytes()))
    assert len(list(iter_blocks(odd))) == 439


def test_obfuscated_blocks_directory(
    tmp_path: Path, bitcoinj: Path, bitcoinj_records: list[bytes]
) -> None:
    """Core 28+ layout: blk files XORed with xor.dat by file offset, numeric order, padding."""
    key = os.urandom(8)
    blocks_dir = tmp_path / "datadir" / "blocks"
    blocks_dir.mkdir(parents=True)
    (blocks_dir / "xor.dat").write_bytes(key)
    first, second = bitcoinj_records[:300], bitcoinj_records[300:]
    # numeric order: blk9 before blk10 (a name sort would put blk10 first)
    (blocks_dir / "blk9.dat").write_bytes(xor(b"".join(first) + bytes(4096), key))
    (blocks_dir / "blk10.dat").write_bytes(xor(b"".join(second) + bytes(3), key))
    (blocks_dir / "rev9.dat").write_bytes(b"not a block file")
    blocks = list(iter_blocks(blocks_dir))
    expected = [s.block.hash for s in iter_blocks(bitcoinj)]
    assert [s.block.hash for s in blocks] == expected
    assert_offsets(blocks[:300], first, blocks_dir / "blk9.dat")
    assert_offsets(blocks[300:], second, blocks_dir / "blk10.dat")
    # a Core datadir (with blocks/ inside) works too, and so does one file of that folder
    assert [s.block.hash for s in iter_blocks(tmp_path / "datadir")] == expected
    assert len(list(iter_blocks(blocks_dir / "blk10.dat"))) == len(second)
    # an all-zero key means no obfuscation
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "xor.dat").write_bytes(bytes(8))
    (plain / "blk00000.dat").write_bytes(b"".join(first))
    assert len(list(iter_blocks(plain))) == 300


def test_directory_without_blk_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no blk"):
        list(iter_blocks(tmp_path))
    with pytest.raises(InputError, match="no such file"):
        list(iter_blocks(tmp_path / "missing.dat"))


def test_raw_block(bitcoin_data: Path) -> None:
    path = bitcoin_data / "raw" / "0413567.raw"
    (sourced,) = iter_blocks(path, height=413567)
    assert sourced.network == MAINNET
    assert (sourced.block.source, sourced.block.offset) == (str(path), 0)
    assert sourced.block.height_hint == 413567
    (other,) = iter_blocks(path, network=TESTNET)
    assert other.network == TESTNET and other.block.height_hint is None
    assert detect_network(path) == MAINNET
    assert detect_network(path, default=TESTNET) == TESTNET


def test_height_only_for_a_raw_block(bitcoinj: Path) -> None:
    """A clear error naming the file (the CLI prints it: no traceback), not a ValueError."""
    with pytest.raises(ParameterError, match=f"{bitcoinj}: --height applies to a single raw "
                                             "block, not to a blk file"):
        list(iter_blocks(bitcoinj, height=5))
    with pytest.raises(ParameterError, match="not to a directory"):
        list(iter_blocks(bitcoinj.parent, height=5))


def test_network_from_the_magic(tmp_path: Path, bitcoinj_records: list[bytes]) -> None:
    path = tmp_path / "testnet.dat"
    path.write_bytes(b"".join(TESTNET.magic + r[4:] for r in bitcoinj_records[:3]))
    assert {s.network for s in iter_blocks(path)} == {TESTNET}
    assert detect_network(path) == TESTNET


def test_wrong_magic(tmp_path: Path, bitcoinj_records: list[bytes]) -> None:
    recs = list(bitcoinj_records[:5])
    bad_at = sum(len(r) for r in recs[:3])
    recs[3] = TESTNET.magic + recs[3][4:]
    path = tmp_path / "mixed.dat"
    path.write_bytes(b"".join(recs))
    expected = rf"wrong magic 0b110907 \(testnet\) at offset {bad_at}"
    with pytest.raises(FormatError, match=expected) as e:
        list(iter_blocks(path))
    assert (e.value.source, e.value.offset) == (str(path), bad_at)
    recs[3] = b"\xde\xad\xbe\xef" + recs[3][4:]
    path.write_bytes(b"".join(recs))
    with pytest.raises(FormatError, match="wrong magic deadbeef") as e:
        list(iter_blocks(path))
    assert e.value.offset == bad_at


def test_truncated_records(tmp_path: Path, bitcoinj_records: list[bytes]) -> None:
    recs = bitcoinj_records[:4]
    last_at = sum(len(r) for r in recs[:3])
    data = b"".join(recs)
    path = tmp_path / "cut.dat"
    path.write_bytes(data[:-10])
    with pytest.raises(FormatError, match=f"truncated record at offset {last_at}") as e:
        list(iter_blocks(path))
    assert e.value.offset == last_at
    path.write_bytes(data + MAINNET.magic + b"\x10")
    with pytest.raises(FormatError, match="truncated record header: 5 of 8") as e:
        list(iter_blocks(path))
    assert e.value.offset == len(data)
    path.write_bytes(data + MAINNET.magic + (5_000_000).to_bytes(4, "little"))
    with pytest.raises(FormatError, match="impossible block length 5000000") as e:
        list(iter_blocks(path))
    assert e.value.offset == len(data)


def test_bad_block_inside_a_record_names_its_file_offset(
    tmp_path: Path, bitcoinj_records: list[bytes]
) -> None:
    recs = list(bitcoinj_records[:3])
    rec = recs[2]
    recs[2] = rec[:4] + (len(rec) - 8 - 2).to_bytes(4, "little") + rec[8:-2]  # 2 bytes short
    path = tmp_path / "short.dat"
    path.write_bytes(b"".join(recs))
    at = len(recs[0]) + len(recs[1])
    with pytest.raises(FormatError, match="truncated transaction") as e:
        list(iter_blocks(path))
    # at the locktime of the record's last tx: record start + framing + block size - 4
    assert e.value.offset == at + 8 + (len(rec) - 8) - 4


def test_unknown_format(tmp_path: Path, bitcoin_data: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(5000))
    with pytest.raises(FormatError, match="unknown format"):
        list(iter_blocks(junk))
    megatx = tmp_path / "megatx.bin.bz2"
    megatx.write_bytes((bitcoin_data / "tx" / "megatx-5569-inputs.bin.bz2").read_bytes())
    with pytest.raises(FormatError, match="a lone transaction, not a block"):
        list(iter_blocks(megatx))
    (item,) = list(iter_items(megatx))  # the loader's view: one lone transaction
    assert isinstance(item, SourcedTx) and len(item.tx.inputs) == 5569
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x01" * 4_000_100)
    with pytest.raises(FormatError, match="too large for a single raw block"):
        list(iter_blocks(big))


def test_truncated_raw_transaction_says_where_its_parse_broke(
    tmp_path: Path, bitcoin_data: Path
) -> None:
    """Cut in half, the megatx breaks as a transaction at 499,745 (an input script runs past
    the end), but as a block already at 5,015: the error names the transaction's place."""
    data = bz2.decompress((bitcoin_data / "tx" / "megatx-5569-inputs.bin.bz2").read_bytes())
    cut = tmp_path / "trunc_megatx.bin"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError) as e:
        list(iter_items(cut))
    assert (e.value.source, e.value.offset) == (str(cut), 499745)
    assert e.value.reason == (
        "unknown format: no known network magic at the start (01000000) and neither parse fills "
        "the file: as a raw transaction, input script of 138 bytes runs past the end of the "
        "data at byte offset 499745 (the parse that got further); as a raw block, input script "
        "of 3278516597946028895 bytes runs past the end of the data at byte offset 5015"
    )


def test_damaged_raw_block_says_where(tmp_path: Path, bitcoin_data: Path) -> None:
    data = (bitcoin_data / "raw" / "0413567.raw").read_bytes()
    cut = tmp_path / "cut.raw"
    cut.write_bytes(data[:-2])
    with pytest.raises(FormatError, match="truncated transaction") as e:
        list(iter_blocks(cut))
    assert (e.value.source, e.value.offset) == (str(cut), len(data) - 4)


def test_zero_filled_file_has_no_blocks(tmp_path: Path) -> None:
    """A preallocated blk file Core has not written to yet."""
    empty = tmp_path / "blk00001.dat"
    empty.write_bytes(bytes(1 << 16))
    assert list(iter_blocks(empty)) == []


def test_zero_padding_then_more_blocks_is_an_error(tmp_path: Path,
                                                   bitcoinj_records: list[bytes]) -> None:
    """Zeros end a blk file only when nothing but zeros follows: blocks after them are not
    dropped unseen (found by the bad-input review); zeros to the end stay padding."""
    head = b"".join(bitcoinj_records[:3])
    spliced = tmp_path / "spliced.dat"
    spliced.write_bytes(head + bytes(16) + bitcoinj_records[3])
    with pytest.raises(FormatError, match=f"zero bytes from offset {len(head)}, then data "
                                          f"again at offset {len(head) + 16}") as e:
        list(iter_blocks(spliced))
    assert (e.value.source, e.value.offset) == (str(spliced), len(head) + 16)
    padded = tmp_path / "padded.dat"
    padded.write_bytes(head + bytes(3 << 20))
    assert len(list(iter_blocks(padded))) == 3
