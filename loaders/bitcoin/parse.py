"""Deserializer for Bitcoin blocks, headers and transactions (segwit aware).

Hand-written because it is the loader's inner loop and nothing on PyPI is both fast and strict.
Measured on `0413567.raw` (1557 txs, 4887 inputs, 3581 outputs), CPython 3.11, 2 shared cores,
best of 15 runs (`bench/parse_bitcoin.py`):

    parse_block                                     ~135,000 tx/s
    parse_block + classify_script + addresses        ~60,000 tx/s (address caches cold)
    python-bitcoinlib 0.12.2, CBlock.deserialize
      + GetTxid per tx (the same work)               ~30,000 tx/s, about 4.5x slower

python-bitcoinlib reads through BytesIO one field at a time and builds mutable objects (and
re-serializes a transaction to hash it); here a transaction is read with `struct.unpack_from` at
running offsets over one bytes object, and its ids are hashed from slices of that object. The
reader is also stricter: every truncation or malformed field raises `FormatError` naming the
source and the absolute byte offset where the failing field starts.

The txid is the double SHA-256 of the serialization without witness data (BIP-144), the wtxid of
the full one; weight = stripped size x 3 + total size (BIP-141).
"""

from __future__ import annotations

import struct
from hashlib import sha256

from chaintrail.errors import FormatError
from loaders.bitcoin.model import Block, BlockHeader, Tx, TxIn, TxOut

MAX_MONEY = 21_000_000 * 100_000_000
"""Satoshi; an output value above it cannot occur (Core's MoneyRange)."""
MAX_BLOCK_SERIALIZED_SIZE = 4_000_000
HEADER_SIZE = 80
_MIN_TX_SIZE = 51
"""version 4 + 1 input (41) + no output + locktime 4 + two counts: a bound for garbage."""

_HEADER = struct.Struct("<i32s32sIII")
_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from
_U64 = struct.Struct("<Q").unpack_from
_OUTPOINT = struct.Struct("<32sI").unpack_from


def _dsha256(data: bytes) -> bytes:
    return sha256(sha256(data).digest()).digest()


def _varint_slow(buf: bytes, pos: int) -> tuple[int, int]:
    """A CompactSize of 3, 5 or 9 bytes at pos (first byte >= 0xfd); (value, next pos).

    Non-canonical encodings are rejected as Bitcoin Core does. Raises struct.error when the
    buffer ends, ValueError when not canonical.
    """
    first = buf[pos]
    if first == 0xFD:
        (n,) = _U16(buf, pos + 1)
        if n < 0xFD:
            raise ValueError("non-canonical CompactSize")
        return n, pos + 3
    if first == 0xFE:
        (n,) = _U32(buf, pos + 1)
        if n <= 0xFFFF:
            raise ValueError("non-canonical CompactSize")
        return n, pos + 5
    (n,) = _U64(buf, pos + 1)
    if n <= 0xFFFFFFFF:
        raise ValueError("non-canonical CompactSize")
    return n, pos + 9


def _varint_size(n: int) -> int:
    return 1 if n < 0xFD else 3 if n <= 0xFFFF else 5 if n <= 0xFFFFFFFF else 9


def _header_at(buf: bytes, pos: int, base: int, source: str) -> BlockHeader:
    raw = buf[pos : pos + HEADER_SIZE]
    if len(raw) < HEADER_SIZE:
        raise FormatError(
            f"truncated block header: {len(raw)} of {HEADER_SIZE} bytes",
            source=source,
            offset=base + pos,
        )
    version, prev, merkle, time, bits, nonce = _HEADER.unpack(raw)
    return BlockHeader(
        hash=_dsha256(raw)[::-1].hex(),
        version=version,
        prev_hash=prev[::-1].hex(),
        merkle_root=merkle[::-1].hex(),
        time=time,
        bits=bits,
        nonce=nonce,
    )


def _tx_at(buf: bytes, pos: int, base: int, source: str) -> tuple[Tx, int]:
    """The transaction starting at buf[pos] and the position after it.

    One function with the loops inlined: a call per input or output costs more than the
    reading. `pos` always points at the start of the field being read, so the except clauses
    report the offset of the field that failed.
    """
    start = pos
    end = len(buf)
    try:
        (version,) = _U32(buf, pos)
        pos += 4
        segwit = buf[pos] == 0
        if segwit:
            pos += 1
            if buf[pos] != 1:
                raise FormatError(
                    f"segwit flag byte is {buf[pos]:#04x}, expected 0x01",
                    source=source,
                    offset=base + pos,
                )
            pos += 1
        body_start = pos

        n_in = buf[pos]
        if n_in < 0xFD:
            pos += 1
        else:
            n_in, pos = _varint_slow(buf, pos)
        if n_in == 0 or n_in * 41 > end - pos:
            raise FormatError(
                f"input count {n_in} impossible in {end - pos} remaining bytes",
                source=source,
                offset=base + pos - _varint_size(n_in),
            )
        ins: list[tuple[bytes, int, bytes, int]] = []
        append_in = ins.append
        for _ in range(n_in):
            prev, vout = _OUTPOINT(buf, pos)
            pos += 36
            slen = buf[pos]
            if slen < 0xFD:
                pos += 1
            else:
                slen, pos = _varint_slow(buf, pos)
            script_end = pos + slen
            if script_end > end:
                raise FormatError(
                    f"input script of {slen} bytes runs past the end of the data",
                    source=source,
                    offset=base + pos,
                )
            script = buf[pos:script_end]
            pos = script_end
            (sequence,) = _U32(buf, pos)
            pos += 4
            append_in((prev, vout, script, sequence))

        n_out = buf[pos]
        if n_out < 0xFD:
            pos += 1
        else:
            n_out, pos = _varint_slow(buf, pos)
        if n_out * 9 > end - pos:
            raise FormatError(
                f"output count {n_out} impossible in {end - pos} remaining bytes",
                source=source,
                offset=base + pos - _varint_size(n_out),
            )
        outs: list[TxOut] = []
        append_out = outs.append
        for n in range(n_out):
            (value,) = _U64(buf, pos)
            if value > MAX_MONEY:
                raise FormatError(
                    f"output value {value} is out of range", source=source, offset=base + pos
                )
            pos += 8
            slen = buf[pos]
            if slen < 0xFD:
                pos += 1
            else:
                slen, pos = _varint_slow(buf, pos)
            script_end = pos + slen
            if script_end > end:
                raise FormatError(
                    f"output script of {slen} bytes runs past the end of the data",
                    source=source,
                    offset=base + pos,
                )
            append_out(TxOut(n, value, buf[pos:script_end]))
            pos = script_end
        body_end = pos

        witnesses: list[tuple[bytes, ...]] | None = None
        if segwit:
            witnesses = []
            any_witness = False
            for _ in range(n_in):
                n_items = buf[pos]
                if n_items < 0xFD:
                    pos += 1
                else:
                    n_items, pos = _varint_slow(buf, pos)
                if n_items > end - pos:
                    raise FormatError(
                        f"witness item count {n_items} impossible in {end - pos} remaining bytes",
                        source=source,
                        offset=base + pos - _varint_size(n_items),
                    )
                items = []
                for _ in range(n_items):
                    ilen = buf[pos]
                    if ilen < 0xFD:
                        pos += 1
                    else:
                        ilen, pos = _varint_slow(buf, pos)
                    item_end = pos + ilen
                    if item_end > end:
                        raise FormatError(
                            f"witness item of {ilen} bytes runs past the end of the data",
                            source=source,
                            offset=base + pos,
                        )
                    items.append(buf[pos:item_end])
                    pos = item_end
                if items:
                    any_witness = True
                witnesses.append(tuple(items))
            if not any_witness:
                raise FormatError(
                    "segwit marker but every witness is empty (superfluous witness record)",
                    source=source,
                    offset=base + start + 4,
                )
        (locktime,) = _U32(buf, pos)
        pos += 4
    except (struct.error, IndexError):
        raise FormatError(
            f"truncated transaction (it starts at byte offset {base + start})",
            source=source,
            offset=base + pos,
        ) from None
    except ValueError as e:  # non-canonical CompactSize
        raise FormatError(str(e), source=source, offset=base + pos) from None

    size = pos - start
    if witnesses is None:
        full = _dsha256(buf[start:pos])
        txid = wtxid = full[::-1].hex()
        weight = size * 4
        inputs = tuple(
            [TxIn(prev[::-1].hex(), vout, script, seq) for prev, vout, script, seq in ins]
        )
    else:
        stripped = buf[start : start + 4] + buf[body_start:body_end] + buf[pos - 4 : pos]
        txid = _dsha256(stripped)[::-1].hex()
        wtxid = _dsha256(buf[start:pos])[::-1].hex()
        weight = len(stripped) * 3 + size
        inputs = tuple(
            [
                TxIn(prev[::-1].hex(), vout, script, seq, wit)
                for (prev, vout, script, seq), wit in zip(ins, witnesses, strict=True)
            ]
        )
    return Tx(txid, wtxid, version, locktime, inputs, tuple(outs), size, weight), pos


def _as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    return data if type(data) is bytes else bytes(data)


def parse_header(
    data: bytes | bytearray | memoryview, *, source: str = "", offset: int | None = None
) -> BlockHeader:
    """The 80-byte block header at the start of `data` (later bytes are not looked at).

    `offset` is where `data` starts within `source`, for error messages.
    """
    return _header_at(_as_bytes(data[:HEADER_SIZE]), 0, offset or 0, source)


def parse_tx(
    data: bytes | bytearray | memoryview, *, source: str = "", offset: int | None = None
) -> Tx:
    """One serialized transaction that must fill `data` exactly.

    `offset` is where `data` starts within `source`, for error messages.
    """
    buf = _as_bytes(data)
    base = offset or 0
    tx, pos = _tx_at(buf, 0, base, source)
    if pos != len(buf):
        raise FormatError(
            f"{len(buf) - pos} trailing bytes after the transaction",
            source=source,
            offset=base + pos,
        )
    return tx


def parse_block(
    data: bytes | bytearray | memoryview,
    *,
    source: str = "",
    offset: int | None = None,
    record_offset: int | None = None,
    height_hint: int | None = None,
) -> Block:
    """One serialized block that must fill `data` exactly (trailing bytes are an error).

    `offset` is where `data` starts within `source` (errors name absolute offsets from it);
    `record_offset` is what the Block records as its offset (the framing record in a blk
    file) and defaults to `offset`.
    """
    buf = _as_bytes(data)
    base = offset or 0
    end = len(buf)
    if end > MAX_BLOCK_SERIALIZED_SIZE:
        raise FormatError(
            f"block of {end} bytes exceeds the {MAX_BLOCK_SERIALIZED_SIZE}-byte maximum",
            source=source,
            offset=base,
        )
    header = _header_at(buf, 0, base, source)
    pos = HEADER_SIZE
    try:
        n_tx = buf[pos]
        if n_tx < 0xFD:
            pos += 1
        else:
            n_tx, pos = _varint_slow(buf, pos)
    except (struct.error, IndexError):
        raise FormatError(
            "truncated block: no transaction count", source=source, offset=base + pos
        ) from None
    except ValueError as e:
        raise FormatError(str(e), source=source, offset=base + pos) from None
    if n_tx == 0 or n_tx * _MIN_TX_SIZE > end - pos:
        raise FormatError(
            f"transaction count {n_tx} impossible in {end - pos} remaining bytes",
            source=source,
            offset=base + HEADER_SIZE,
        )
    txs = []
    weight = pos * 4
    for _ in range(n_tx):
        tx, pos = _tx_at(buf, pos, base, source)
        txs.append(tx)
        weight += tx.weight
    if pos != end:
        raise FormatError(
            f"{end - pos} trailing bytes after the block", source=source, offset=base + pos
        )
    return Block(
        header=header,
        txs=tuple(txs),
        size=end,
        weight=weight,
        source=source,
        offset=record_offset if record_offset is not None else offset,
        height_hint=height_hint,
    )
