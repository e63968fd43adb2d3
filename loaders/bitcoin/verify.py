"""Self-checks of a parsed block: merkle root, proof of work, witness commitment, BIP34 height.

A block carries its own proof of integrity; checking it catches a loader or a file that got a
byte wrong before anything reaches the database. These are the context-free checks of Bitcoin
Core's CheckBlock / CheckProofOfWork and the witness commitment of ContextualCheckBlock; nothing
here needs the chain (difficulty retargeting, UTXOs and scripts are not checked).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from hashlib import sha256

from chaintrail.errors import VerificationError
from loaders.bitcoin.model import Block, BlockHeader
from loaders.bitcoin.network import Network

WITNESS_COMMITMENT_HEADER = bytes.fromhex("6a24aa21a9ed")
"""OP_RETURN, push 36, then the 4 BIP141 tag bytes; the commitment follows (32 bytes)."""

_HEADER = struct.Struct("<i32s32sIII")


def _dsha256(data: bytes) -> bytes:
    return sha256(sha256(data).digest()).digest()


def _merkle_root_bytes(hashes: list[bytes]) -> tuple[bytes, bool]:
    """Merkle root of internal-order hashes and whether the tree is mutated (CVE-2012-2459).

    Mutated means two identical siblings at some level: then a different transaction list
    (with the duplicated tail) has the same root, so Core rejects such blocks.
    """
    if not hashes:
        raise ValueError("the merkle root of no hashes is undefined")
    mutated = False
    level = hashes
    while len(level) > 1:
        for i in range(0, len(level) - 1, 2):
            if level[i] == level[i + 1]:
                mutated = True
        if len(level) % 2:
            level = [*level, level[-1]]
        level = [_dsha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0], mutated


def merkle_root(txids: Iterable[str]) -> str:
    """The merkle root (display hex) of transaction ids given in display hex."""
    root, _ = _merkle_root_bytes([bytes.fromhex(t)[::-1] for t in txids])
    return root[::-1].hex()


def bits_to_target(bits: int) -> int:
    """The target a compact `bits` field encodes; ValueError if negative or overflowing."""
    exponent = bits >> 24
    mantissa = bits & 0x007FFFFF
    if mantissa and bits & 0x00800000:
        raise ValueError(f"bits {bits:08x} encode a negative target")
    if mantissa and (
        exponent > 34
        or (mantissa > 0xFF and exponent > 33)
        or (mantissa > 0xFFFF and exponent > 32)
    ):
        raise ValueError(f"bits {bits:08x} overflow 256 bits")
    if exponent <= 3:
        return mantissa >> (8 * (3 - exponent))
    return mantissa << (8 * (exponent - 3))


def block_work(bits: int) -> int:
    """Expected number of hashes to find a block at `bits` (0 for invalid bits, as in Core)."""
    try:
        target = bits_to_target(bits)
    except ValueError:
        return 0
    if target == 0:
        return 0
    return (1 << 256) // (target + 1)


def header_hash(header: BlockHeader) -> str:
    """The hash (display hex) of a header recomputed from its fields."""
    raw = _HEADER.pack(
        header.version,
        bytes.fromhex(header.prev_hash)[::-1],
        bytes.fromhex(header.merkle_root)[::-1],
        header.time,
        header.bits,
        header.nonce,
    )
    return _dsha256(raw)[::-1].hex()


def _fail(block: Block, message: str) -> VerificationError:
    return VerificationError(
        f"block {block.hash}: {message}", source=block.source or "<block>", offset=block.offset
    )


def _check_pow(block: Block, net: Network) -> None:
    header = block.header
    computed = header_hash(header)
    if computed != header.hash:
        raise _fail(block, f"header hash does not match its fields (they hash to {computed})")
    try:
        target = bits_to_target(header.bits)
    except ValueError as e:
        raise _fail(block, str(e)) from None
    if target == 0:
        raise _fail(block, f"bits {header.bits:08x} encode a zero target")
    if target > net.pow_limit:
        raise _fail(
            block, f"target of bits {header.bits:08x} is above the {net.name} proof-of-work limit"
        )
    if int(header.hash, 16) > target:
        raise _fail(block, f"hash is above the target of bits {header.bits:08x}")


def _check_merkle(block: Block) -> None:
    txs = block.txs
    if not txs:
        raise _fail(block, "no transactions")
    if not txs[0].is_coinbase:
        raise _fail(block, "the first transaction is not a coinbase")
    for tx in txs[1:]:
        if any(i.is_coinbase for i in tx.inputs):
            raise _fail(block, f"transaction {tx.txid} after the first is a coinbase")
    root, mutated = _merkle_root_bytes([bytes.fromhex(t.txid)[::-1] for t in txs])
    if mutated:
        raise _fail(block, "duplicate transactions make a mutated merkle tree (CVE-2012-2459)")
    if root[::-1].hex() != block.header.merkle_root:
        raise _fail(
            block,
            f"merkle root {root[::-1].hex()} of the transactions does not match the header's "
            f"{block.header.merkle_root}",
        )


def witness_commitment(block: Block) -> bytes | None:
    """The 32-byte BIP141 witness commitment of the coinbase (its last such output), or None."""
    found = None
    for out in block.txs[0].outputs:
        spk = out.script_pubkey
        if len(spk) >= 38 and spk[:6] == WITNESS_COMMITMENT_HEADER:
            found = spk[6:38]
    return found


def _check_witness_commitment(block: Block) -> None:
    """BIP141: a block with witness data commits to its wtxids in the coinbase.

    Without a height the segwit activation is unknown, so a commitment-shaped output with no
    32-byte coinbase witness (possible by chance before activation) is left alone unless the
    block has witness data.
    """
    coinbase = block.txs[0]
    commitment = witness_commitment(block)
    has_witness = any(tx.has_witness for tx in block.txs)
    if commitment is None:
        if has_witness:
            raise _fail(block, "transactions have witness data but the coinbase has no commitment")
        return
    reserved = coinbase.inputs[0].witness if coinbase.inputs else ()
    if len(reserved) != 1 or len(reserved[0]) != 32:
        if has_witness:
            raise _fail(block, "the coinbase witness is not one 32-byte reserved value (BIP141)")
        return
    wtxids = [b"\x00" * 32] + [bytes.fromhex(tx.wtxid)[::-1] for tx in block.txs[1:]]
    root, _ = _merkle_root_bytes(wtxids)
    if _dsha256(root + reserved[0]) != commitment:
        raise _fail(block, "witness commitment does not match the witness merkle root")


def verify_block(block: Block, net: Network) -> None:
    """Raise VerificationError (with the block's source and offset) if the block fails
    its merkle root, coinbase position, mutation, witness commitment or proof of work.

    The transactions are checked before the header so that a block rebuilt around changed
    transactions reports what is wrong with them rather than its (then unmined) header."""
    _check_merkle(block)
    _check_witness_commitment(block)
    _check_pow(block, net)


def bip34_height(block: Block) -> int | None:
    """The height a version >= 2 block states first in its coinbase scriptSig (BIP34), or None.

    BIP34 was enforced only from mainnet height 227931, so earlier version-2 blocks may begin
    their coinbase with anything. The rule here accepts only what an enforcing node writes:
    OP_1..OP_16 (heights 1-16, as Core encodes them on regtest) or a minimal 1-4 byte
    non-negative number push. Anything else gives None; a returned height is a claim the caller
    checks against its context (it is right for every block at or after activation).
    """
    if block.header.version < 2 or not block.txs or not block.txs[0].is_coinbase:
        return None
    script = block.txs[0].inputs[0].script_sig
    if not script:
        return None
    op = script[0]
    if 0x51 <= op <= 0x60:
        return op - 0x50
    if not 1 <= op <= 4 or len(script) < 1 + op:
        return None
    num = script[1 : 1 + op]
    if num[-1] & 0x80:  # negative
        return None
    if num[-1] == 0 and (op == 1 or not num[-2] & 0x80):  # not minimal
        return None
    return int.from_bytes(num, "little")
