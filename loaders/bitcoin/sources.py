"""Block sources on disk: a Bitcoin Core blocks directory, a blk file, or one raw block.

What a path holds is decided by its content, not its name:

- a directory: its `blk*.dat` files in numeric order (a datadir with a `blocks/` folder works
  too), de-obfuscated with the 8-byte key in `xor.dat` when present (Bitcoin Core 28+);
- a file starting with `BZh`: bzip2, examined again after decompression (offsets are then in
  the decompressed stream);
- a file starting with a known network magic: blk framing, records of magic, 4-byte
  little-endian length, block; zero bytes where a record should start end the file (Core
  preallocates blk files with zeros);
- anything else that parses as exactly one block: a raw serialized block (if it starts with a
  header meeting its own proof of work but does not parse, the parse error is reported as is:
  a damaged block rather than an unknown format);
- else one raw serialized transaction that fills the file. When neither parses, the error is
  placed where the parse that got further broke (a truncated transaction breaks near its end
  as a transaction, early and absurdly as a block) and gives both reasons.

Files are streamed record by record: at most one block's bytes are held at a time (a bzip2 file
is decompressed as a stream too).
"""

from __future__ import annotations

import bz2
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from chaintrail.errors import FormatError, InputError, ParameterError
from loaders.bitcoin.chain import ZERO_HASH
from loaders.bitcoin.model import Block, Tx
from loaders.bitcoin.network import MAINNET, Network, network_by_magic
from loaders.bitcoin.parse import (
    HEADER_SIZE,
    MAX_BLOCK_SERIALIZED_SIZE,
    parse_block,
    parse_header,
    parse_tx,
)
from loaders.bitcoin.verify import bip34_height, bits_to_target

log = logging.getLogger(__name__)

_BLK_NAME = re.compile(r"blk(\d+)\.dat")
_BZ2_MAGIC = b"BZh"
_XOR_KEY_SIZE = 8


class _Stream(Protocol):
    """What is read from: an open file or a bzip2 stream."""

    def read(self, n: int, /) -> bytes: ...

    def seekable(self) -> bool: ...

    def seek(self, n: int, /) -> int: ...

    def tell(self) -> int: ...


@dataclass(frozen=True, slots=True)
class SourcedBlock:
    """A parsed block and the network it belongs to (from the blk magic, or as assumed)."""

    block: Block
    network: Network


@dataclass(frozen=True, slots=True)
class SourcedTx:
    """A lone serialized transaction (a file holding one raw transaction, not in a block):
    what an investigator copies from an explorer or a node's mempool."""

    tx: Tx
    network: Network
    source: str


def _xor(data: bytes, key: bytes, offset: int) -> bytes:
    """`data` read at file `offset`, XORed with the repeating 8-byte key (Core's obfuscation)."""
    if not data:
        return data
    shift = offset % _XOR_KEY_SIZE
    rotated = key[shift:] + key[:shift]
    n = len(data)
    stream = (rotated * (n // _XOR_KEY_SIZE + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")


def _read_xor_key(blocks_dir: Path) -> bytes | None:
    """The obfuscation key in `xor.dat`, or None when absent or all zero."""
    path = blocks_dir / "xor.dat"
    if not path.is_file():
        return None
    key = path.read_bytes()
    if len(key) != _XOR_KEY_SIZE:
        raise FormatError(
            f"xor.dat holds {len(key)} bytes, expected {_XOR_KEY_SIZE}", source=str(path)
        )
    return None if key == bytes(_XOR_KEY_SIZE) else key


class _Reader:
    """Reads a stream at known offsets, undoing the XOR obfuscation when there is a key."""

    def __init__(self, f: _Stream, key: bytes | None) -> None:
        self._f = f
        self._key = key
        self.pos = 0

    def read(self, n: int) -> bytes:
        data = self._f.read(n)
        if self._key is not None:
            data = _xor(data, self._key, self.pos)
        self.pos += len(data)
        return data


def _iter_blk_records(reader: _Reader, source: str, first: bytes) -> Iterator[SourcedBlock]:
    """Blocks of a blk-framed stream whose first 8 bytes (`first`) were already read."""
    net = network_by_magic(first[:4])
    if net is None:
        raise FormatError(f"unknown magic {first[:4].hex()}", source=source, offset=0)
    head = first
    while True:
        record = reader.pos - len(head)
        if not head.strip(b"\x00"):
            if head:
                _check_padding(reader, source, record)
                log.debug("%s: zero padding from byte offset %d ends the file", source, record)
            return
        if len(head) < 8:
            raise FormatError(
                f"truncated record header: {len(head)} of 8 bytes", source=source, offset=record
            )
        if head[:4] != net.magic:
            other = network_by_magic(head[:4])
            what = f" ({other.name})" if other is not None else ""
            raise FormatError(
                f"wrong magic {head[:4].hex()}{what} at offset {record}, expected "
                f"{net.magic.hex()} ({net.name})",
                source=source,
                offset=record,
            )
        length = int.from_bytes(head[4:8], "little")
        if not HEADER_SIZE < length <= MAX_BLOCK_SERIALIZED_SIZE:
            raise FormatError(
                f"record at offset {record} declares an impossible block length {length}",
                source=source,
                offset=record,
            )
        data = reader.read(length)
        if len(data) < length:
            raise FormatError(
                f"truncated record at offset {record}: declares {length} bytes, "
                f"only {len(data)} left",
                source=source,
                offset=record,
            )
        block = parse_block(data, source=source, offset=record + 8, record_offset=record)
        yield SourcedBlock(block, net)
        head = reader.read(8)


def _check_padding(reader: _Reader, source: str, start: int) -> None:
    """Bitcoin Core preallocates blk files with zeros: zeros to the end of the file end it.
    Data after them is not padding (a damaged or spliced file): say where, rather than drop
    the blocks after it unseen."""
    while chunk := reader.read(1 << 20):
        rest = chunk.lstrip(b"\x00")
        if rest:
            at = reader.pos - len(rest)
            raise FormatError(f"zero bytes from offset {start}, then data again at offset {at}: "
                              "not a blk file's end padding", source=source, offset=at)


def _has_real_header(data: bytes) -> bool:
    """Whether `data` starts with a block header whose hash meets its own target: random
    bytes almost never do, so a parse error after it is a damaged block, not another format."""
    if len(data) < HEADER_SIZE:
        return False
    header = parse_header(data)
    try:
        return 0 < int(header.hash, 16) <= bits_to_target(header.bits)
    except ValueError:
        return False


def _iter_stream(
    f: _Stream,
    source: str,
    *,
    key: bytes | None,
    height: int | None,
    network: Network | None,
    size_hint: int | None,
) -> Iterator[SourcedBlock | SourcedTx]:
    reader = _Reader(f, key)
    first = reader.read(8)
    if not first:
        log.warning("%s is empty: no blocks in it", source)
        return
    if not first.strip(b"\x00"):
        log.debug("%s: starts with zero bytes, an empty preallocated blk file", source)
        return
    if first[:3] == _BZ2_MAGIC and key is None:
        f.seek(0)
        with bz2.open(f) as inner:
            try:
                yield from _iter_stream(
                    inner, source, key=None, height=height, network=network, size_hint=None
                )
            except (EOFError, OSError) as e:  # bz2's own: truncated, or a damaged stream
                raise FormatError(f"the bzip2 stream is truncated or damaged ({e})",
                                  source=source, offset=f.tell()) from e
        return
    if network_by_magic(first[:4]) is not None:
        if height is not None:
            raise ParameterError(f"{source}: --height applies to a single raw block, not to a "
                                 "blk file (its blocks are placed by their parents)")
        yield from _iter_blk_records(reader, source, first)
        return
    if size_hint is not None and size_hint > MAX_BLOCK_SERIALIZED_SIZE:
        raise FormatError(
            f"unknown format: no known network magic at the start ({first[:4].hex()}) and "
            f"too large for a single raw block",
            source=source,
            offset=0,
        )
    rest = reader.read(MAX_BLOCK_SERIALIZED_SIZE + 1 - len(first))
    data = first + rest
    try:
        block = parse_block(data, source=source, offset=0, height_hint=height)
    except FormatError as e:
        if _has_real_header(data):
            raise  # a block header with its proof of work: a damaged raw block, say where
        try:
            tx = parse_tx(data, source=source, offset=0)
        except FormatError as te:
            raise _neither(first, block_error=e, tx_error=te) from te
        if height is not None:
            raise ParameterError(f"{source}: --height applies to a single raw block, not to a "
                                 "transaction") from None
        yield SourcedTx(tx, network or MAINNET, source)
        return
    if height is not None:
        check_height(block, height, network or MAINNET, source)
    yield SourcedBlock(block, network or MAINNET)


def _neither(first: bytes, *, block_error: FormatError, tx_error: FormatError) -> FormatError:
    """Neither a raw block nor a raw transaction: the error is placed where the parse that got
    further broke (a truncated transaction file breaks near its end as a transaction, but early
    and absurdly as a block), and gives both reasons, the more plausible first."""
    tries = [("raw transaction", tx_error), ("raw block", block_error)]
    tries.sort(key=lambda t: -(t[1].offset or 0))  # stable: a tie keeps the transaction first
    reasons = [f"as a {what}, {e.reason} at byte offset {e.offset}" for what, e in tries]
    best = tries[0][1]
    return FormatError(
        f"unknown format: no known network magic at the start ({first[:4].hex()}) and neither "
        f"parse fills the file: {reasons[0]} (the parse that got further); {reasons[1]}",
        source=best.source,
        offset=best.offset,
    )


def check_height(block: Block, height: int, net: Network, source: str) -> None:
    """Refuse a stated height (`--height`) that the block itself contradicts: its coinbase
    states another (BIP34; either height at or after the network's activation height, from
    which the rule binds: before it a coinbase may begin with anything), or its parent
    is the genesis block (height 1) or none (height 0)."""
    claim = bip34_height(block)
    if claim is not None and claim != height and max(claim, height) >= net.bip34_height:
        raise FormatError(f"--height {height} contradicts the height {claim} that the block's "
                          "coinbase states (BIP34)", source=source, offset=0)
    fixed = {ZERO_HASH: 0, net.genesis_hash: 1}.get(block.header.prev_hash)
    if fixed is not None and fixed != height:
        raise FormatError(f"--height {height}, but the block's parent makes it height {fixed}",
                          source=source, offset=0)


def _blk_files(directory: Path) -> list[Path]:
    found = []
    for p in directory.iterdir():
        m = _BLK_NAME.fullmatch(p.name)
        if m and p.is_file():
            found.append((int(m.group(1)), p))
    return [p for _, p in sorted(found)]


def _blocks_dir(path: Path) -> Path:
    """The folder holding blk files: `path` itself or its `blocks/` (a Core datadir)."""
    if not _blk_files(path) and (path / "blocks").is_dir():
        return path / "blocks"
    return path


def _iter_file(
    path: Path, *, key: bytes | None, height: int | None, network: Network | None
) -> Iterator[SourcedBlock | SourcedTx]:
    with path.open("rb") as f:
        yield from _iter_stream(
            f, str(path), key=key, height=height, network=network, size_hint=path.stat().st_size
        )


def iter_items(
    path: Path, *, height: int | None = None, network: Network | None = None
) -> Iterator[SourcedBlock | SourcedTx]:
    """Every block under `path` (directory, blk file, bzip2 file or raw block), in file order,
    or the one transaction of a raw transaction file.

    Each Block's `source` is the file and `offset` the byte offset of its record (of the block
    itself for a raw block). `height` only applies to a single raw block and becomes its
    `height_hint`; `network` is the network assumed for a raw block (default mainnet), blk
    records carry theirs in their magic.
    """
    path = Path(path)
    if path.is_dir():
        if height is not None:
            raise ParameterError(f"{path}: --height applies to a single raw block, not to a "
                                 "directory")
        blocks_dir = _blocks_dir(path)
        files = _blk_files(blocks_dir)
        if not files:
            raise InputError("no blk*.dat files in this directory", source=str(path))
        key = _read_xor_key(blocks_dir)
        for f in files:
            yield from _iter_file(f, key=key, height=None, network=network)
        return
    if not path.is_file():
        raise InputError("no such file or directory", source=str(path))
    if path.stat().st_size == 0:  # named on purpose, yet nothing in it (in a directory: logged)
        raise FormatError("the file is empty: no block or transaction in it", source=str(path),
                          offset=0)
    key = _read_xor_key(path.parent) if _BLK_NAME.fullmatch(path.name) else None
    yield from _iter_file(path, key=key, height=height, network=network)


def iter_blocks(
    path: Path, *, height: int | None = None, network: Network | None = None
) -> Iterator[SourcedBlock]:
    """Like `iter_items`, for callers that want blocks only: a lone transaction is an error."""
    for item in iter_items(path, height=height, network=network):
        if isinstance(item, SourcedTx):
            raise FormatError("a lone transaction, not a block", source=item.source, offset=0)
        yield item


def detect_network(path: Path, *, default: Network = MAINNET) -> Network:
    """The network of the blocks under `path`: from the first blk record's magic, or
    `default` for a raw block (which carries no network)."""
    for sourced in iter_blocks(path, network=default):
        return sourced.network
    return default
