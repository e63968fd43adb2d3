"""Parsed Bitcoin structures: what every source (blk files, raw blocks, RPC) produces.

Hashes are hex strings in display order (byte-reversed, as explorers and Bitcoin Core show
them). Values are integers in satoshi. The objects are immutable and carry no database logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COINBASE_PREV_TXID = "0" * 64
COINBASE_PREV_VOUT = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class TxIn:
    prev_txid: str
    vout: int
    script_sig: bytes
    sequence: int
    witness: tuple[bytes, ...] = ()

    @property
    def is_coinbase(self) -> bool:
        return self.prev_txid == COINBASE_PREV_TXID and self.vout == COINBASE_PREV_VOUT


@dataclass(frozen=True, slots=True)
class TxOut:
    n: int
    value: int
    script_pubkey: bytes


@dataclass(frozen=True, slots=True)
class Tx:
    txid: str
    wtxid: str
    version: int
    locktime: int
    inputs: tuple[TxIn, ...]
    outputs: tuple[TxOut, ...]
    size: int
    """Serialized size in bytes, witness included."""
    weight: int

    @property
    def is_coinbase(self) -> bool:
        return len(self.inputs) == 1 and self.inputs[0].is_coinbase

    @property
    def vsize(self) -> int:
        return (self.weight + 3) // 4

    @property
    def has_witness(self) -> bool:
        return any(i.witness for i in self.inputs)


@dataclass(frozen=True, slots=True)
class BlockHeader:
    hash: str
    version: int
    prev_hash: str
    merkle_root: str
    time: int
    bits: int
    nonce: int


@dataclass(frozen=True, slots=True)
class Block:
    header: BlockHeader
    txs: tuple[Tx, ...]
    size: int
    weight: int
    source: str = ""
    """Where it came from (file path, URL), for error messages and provenance."""
    offset: int | None = None
    """Byte offset of the block (of its framing, in blk files) within `source`."""
    height_hint: int | None = None
    """A height stated by the source (node answer, --height); None when not given."""

    @property
    def hash(self) -> str:
        return self.header.hash


@dataclass(frozen=True, slots=True)
class Prevout:
    """An output spent by a loaded input, known without its creating transaction.

    From `--prevouts` JSON lines or from `getblock <hash> 3`.
    """

    txid: str
    vout: int
    value: int
    script_pubkey: bytes
    height: int | None = None
    coinbase: bool | None = None
    line: int | None = field(default=None, compare=False)
    """Its line in a prevouts file (None from a node), for errors; not part of its value."""


@dataclass(frozen=True, slots=True)
class ScriptInfo:
    """What an output script says: its type, the address it pays (if any) and a P2PK key."""

    script_type: str
    """p2pk, p2pkh, p2sh, p2wpkh, p2wsh, p2tr, witness_unknown, multisig, nulldata,
    nonstandard."""
    address: str | None = None
    pubkey: str | None = None
    """Hex public key of a P2PK output (its address is the P2PKH of this key)."""
    extra: dict[str, int] = field(default_factory=dict)
