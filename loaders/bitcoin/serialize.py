"""Bitcoin wire serialization of the parsed model: the inverse of `parse`.

Why it exists: the sample generator builds transactions and blocks in memory and must write the
exact bytes Bitcoin Core would (so that the same parser and verifier that read mainnet data read
the sample), and tests check `serialize(parse(raw)) == raw` on real blocks, which pins the parser
and this module against each other byte for byte.

Everything here is plain byte building plus `hashlib` (double SHA-256): no script evaluation, no
signatures. Hashes cross the API as hex strings in display order (byte-reversed), like the model.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

from loaders.bitcoin.model import (
    COINBASE_PREV_TXID,
    COINBASE_PREV_VOUT,
    Block,
    BlockHeader,
    Tx,
    TxIn,
    TxOut,
)
from loaders.bitcoin.verify import WITNESS_COMMITMENT_HEADER, bits_to_target, merkle_root

__all__ = [
    "REGTEST_BITS",
    "bip34_script_sig",
    "build_block",
    "coinbase_tx",
    "compact_size",
    "make_tx",
    "push_data",
    "script_num",
    "serialize_block",
    "serialize_header",
    "serialize_tx",
    "sha256d",
    "witness_commitment_script",
]

REGTEST_BITS = 0x207FFFFF
"""Regtest's proof-of-work limit: about every second nonce meets it, so mining is a few tries."""

_WITNESS_RESERVED_VALUE = bytes(32)
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")
_HEADER = struct.Struct("<i32s32sIII")


def sha256d(data: bytes) -> bytes:
    """SHA-256 applied twice: Bitcoin's hash for txids, block hashes and merkle nodes."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def compact_size(n: int) -> bytes:
    """Bitcoin's variable-length integer (CompactSize), always in its shortest form."""
    if n < 0xFD:
        return bytes((n,))
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def push_data(data: bytes) -> bytes:
    """The minimal script push of `data` (direct push, PUSHDATA1/2/4), as Core's CScript does.

    A single byte 1..16 is still pushed as data, not as OP_N: that is what `CScript() << vch`
    produces and what signature and key pushes look like on chain.
    """
    n = len(data)
    if n < 0x4C:
        return bytes((n,)) + data
    if n <= 0xFF:
        return b"\x4c" + bytes((n,)) + data
    if n <= 0xFFFF:
        return b"\x4d" + n.to_bytes(2, "little") + data
    return b"\x4e" + n.to_bytes(4, "little") + data


def script_num(n: int) -> bytes:
    """The script push of the integer `n` as Core's `CScript() << n` writes it.

    0 is OP_0, -1 and 1..16 are OP_1NEGATE / OP_1..OP_16, anything else the minimal
    little-endian sign-magnitude encoding pushed as data. BIP34 compares the coinbase
    scriptSig's prefix against exactly this, so heights 1..16 are single opcodes.
    """
    if n == 0:
        return b"\x00"
    if n == -1 or 1 <= n <= 16:
        return bytes((0x50 + n,))
    neg = n < 0
    m = -n if neg else n
    out = bytearray()
    while m:
        out.append(m & 0xFF)
        m >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if neg else 0x00)
    elif neg:
        out[-1] |= 0x80
    return push_data(bytes(out))


def bip34_script_sig(height: int, extra: bytes = b"") -> bytes:
    """A coinbase scriptSig starting with the BIP34 height, then `extra` pushed as data.

    Consensus wants 2..100 bytes; a bare OP_N height is one byte, so with no `extra` an
    OP_0 follows, as in Core's own miner (`CScript() << nHeight << OP_0`).
    """
    script = script_num(height) + (push_data(extra) if extra else b"\x00")
    if len(script) > 100:
        raise ValueError(f"coinbase scriptSig of {len(script)} bytes exceeds 100")
    return script


def _ser_input(txin: TxIn) -> bytes:
    return b"".join(
        (
            bytes.fromhex(txin.prev_txid)[::-1],
            _U32.pack(txin.vout),
            compact_size(len(txin.script_sig)),
            txin.script_sig,
            _U32.pack(txin.sequence),
        )
    )


def _ser_output(txout: TxOut) -> bytes:
    return _U64.pack(txout.value) + compact_size(len(txout.script_pubkey)) + txout.script_pubkey


def _ser_witness(stack: tuple[bytes, ...]) -> bytes:
    parts = [compact_size(len(stack))]
    for item in stack:
        parts.append(compact_size(len(item)))
        parts.append(item)
    return b"".join(parts)


def _encode(
    version: int,
    inputs: Sequence[TxIn],
    outputs: Sequence[TxOut],
    locktime: int,
    witness: bool,
) -> tuple[bytes, bytes]:
    """(stripped, full) serializations; the same bytes when there is no witness.

    Inputs and outputs are encoded once and shared by both forms, which halves the work for
    segwit transactions (the txid needs the stripped form, the block the full one).
    """
    ver = _U32.pack(version & 0xFFFFFFFF)
    body = b"".join(
        (
            compact_size(len(inputs)),
            *[_ser_input(i) for i in inputs],
            compact_size(len(outputs)),
            *[_ser_output(o) for o in outputs],
        )
    )
    lock = _U32.pack(locktime)
    base = ver + body + lock
    if not witness:
        return base, base
    wit = b"".join([_ser_witness(i.witness) for i in inputs])
    return base, ver + b"\x00\x01" + body + wit + lock  # BIP144 marker and flag


def serialize_tx(tx: Tx, *, include_witness: bool = True) -> bytes:
    """The wire bytes of `tx`: BIP144 segwit form when it has witness data, else legacy.

    `include_witness=False` gives the stripped (legacy) form whose hash is the txid.
    A transaction whose witness stacks are all empty is written legacy, as Core does.
    """
    witness = include_witness and tx.has_witness
    return _encode(tx.version, tx.inputs, tx.outputs, tx.locktime, witness)[1]


def make_tx(
    inputs: Sequence[TxIn],
    outputs: Sequence[TxOut],
    *,
    version: int = 2,
    locktime: int = 0,
) -> Tx:
    """A `Tx` built in memory, with txid, wtxid, size and weight computed from its bytes.

    Output `n` fields must be 0, 1, 2, ... in order; they are checked because a wrong `n`
    would silently give the model a different outpoint than the wire bytes. The version is
    kept as the unsigned 32-bit number the parser reads (Core stores it as uint32 since 28),
    so a negative `version` is stored as its two's complement.
    """
    version &= 0xFFFFFFFF
    for pos, out in enumerate(outputs):
        if out.n != pos:
            raise ValueError(f"output {pos} has n={out.n}")
    base, full = _encode(version, inputs, outputs, locktime, any(i.witness for i in inputs))
    txid_raw = sha256d(base)
    wtxid_raw = txid_raw if full is base else sha256d(full)
    return Tx(
        txid=txid_raw[::-1].hex(),
        wtxid=wtxid_raw[::-1].hex(),
        version=version,
        locktime=locktime,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        size=len(full),
        weight=3 * len(base) + len(full),
    )


def _internal(hex_hash: str) -> bytes:
    return bytes.fromhex(hex_hash)[::-1]


def witness_commitment_script(wtxids: Sequence[str]) -> bytes:
    """The BIP141 commitment output script for a block's non-coinbase wtxids (display hex).

    The coinbase's own wtxid counts as 32 zero bytes, and the witness reserved value is
    32 zero bytes too (it goes in the coinbase witness, see `coinbase_tx`).
    """
    root = _internal(merkle_root(["00" * 32, *wtxids]))
    return WITNESS_COMMITMENT_HEADER + sha256d(root + _WITNESS_RESERVED_VALUE)


def coinbase_tx(
    height: int,
    outputs: Sequence[tuple[int, bytes]],
    *,
    witness_wtxids: Sequence[str] | None = None,
    tag: bytes = b"",
    height_push: bool = True,
) -> Tx:
    """A coinbase paying `outputs` ((value, script_pubkey) pairs) at `height`.

    With `witness_wtxids` (the block's other transactions' wtxids) it appends the BIP141
    commitment output and the reserved-value witness; pass it only when some transaction
    in the block has witness data. `height_push=False` is for a genesis block, which
    predates BIP34; its scriptSig is then just `tag`.
    """
    script_sig = bip34_script_sig(height, tag) if height_push else push_data(tag)
    outs = [TxOut(n, value, spk) for n, (value, spk) in enumerate(outputs)]
    witness: tuple[bytes, ...] = ()
    if witness_wtxids is not None:
        outs.append(TxOut(len(outs), 0, witness_commitment_script(witness_wtxids)))
        witness = (_WITNESS_RESERVED_VALUE,)
    txin = TxIn(COINBASE_PREV_TXID, COINBASE_PREV_VOUT, script_sig, 0xFFFFFFFF, witness)
    return make_tx([txin], outs, version=2, locktime=0)


def serialize_header(header: BlockHeader) -> bytes:
    """The 80-byte block header."""
    return _HEADER.pack(
        header.version,
        _internal(header.prev_hash),
        _internal(header.merkle_root),
        header.time,
        header.bits,
        header.nonce,
    )


def build_block(
    prev_hash: str,
    txs: Sequence[Tx],
    *,
    time: int,
    bits: int = REGTEST_BITS,
    version: int = 0x20000000,
    first_nonce: int = 0,
    max_tries: int = 1 << 16,
) -> Block:
    """A mined block over `txs` (coinbase first): merkle root, then nonces from `first_nonce` up.

    Mining is only meant for easy targets such as regtest's, where the expected number of
    tries is about two; `max_tries` bounds the loop and a ValueError says when it ran out.
    `first_nonce` lets a known block (a genesis) be rebuilt with its own nonce.
    """
    if not txs or not txs[0].is_coinbase:
        raise ValueError("a block starts with its coinbase")
    root = _internal(merkle_root(t.txid for t in txs))
    target = bits_to_target(bits)
    prefix = _I32.pack(version) + _internal(prev_hash) + root + _U32.pack(time) + _U32.pack(bits)
    for nonce in range(first_nonce, first_nonce + max_tries):
        digest = sha256d(prefix + _U32.pack(nonce))
        if int.from_bytes(digest, "little") <= target:
            break
    else:
        raise ValueError(f"no nonce below {max_tries} meets bits {bits:#010x}")
    header = BlockHeader(
        hash=digest[::-1].hex(),
        version=version,
        prev_hash=prev_hash,
        merkle_root=root[::-1].hex(),
        time=time,
        bits=bits,
        nonce=nonce,
    )
    size = 80 + len(compact_size(len(txs))) + sum(t.size for t in txs)
    weight = 4 * (80 + len(compact_size(len(txs)))) + sum(t.weight for t in txs)
    return Block(header=header, txs=tuple(txs), size=size, weight=weight)


def serialize_block(block: Block) -> bytes:
    """The wire bytes of `block`: header, transaction count, transactions (segwit form where
    they carry witness data)."""
    parts = [serialize_header(block.header), compact_size(len(block.txs))]
    parts.extend(serialize_tx(t) for t in block.txs)
    return b"".join(parts)
