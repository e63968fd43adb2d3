"""Hand-built blocks for the tests' small graphs: made-up hashes, real mainnet scripts,
written through the real load queries by `tests.helpers.write_blocks` (no verification)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from loaders.bitcoin.model import Block, BlockHeader, Tx, TxIn, TxOut
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.script import classify_script

EASY = 0x1D00FFFF
"""The bits of every hand-built block unless a test gives others (e.g. a stale sibling)."""
TIME = 1_231_006_505


def hx(c: str) -> str:
    """A made-up 64-hex id: `c` repeated."""
    return (c * 64)[:64]


def pkh(i: int) -> bytes:
    """The i-th made-up P2PKH script (i below 256)."""
    return bytes.fromhex("76a914" + f"{i:02x}" * 20 + "88ac")


def p2pkh(script: bytes) -> str:
    """The mainnet address a script pays (it must have one)."""
    a = classify_script(script, MAINNET).address
    assert a is not None
    return a


def tx(txid: str, inputs: Sequence[tuple[str, int]],
       outputs: Sequence[tuple[int, bytes]]) -> Tx:
    """A transaction spending `inputs` (prev txid, vout), paying (value, script) `outputs`;
    without inputs, a coinbase."""
    ins = tuple(TxIn(p, v, b"\x01\x02", 0xFFFFFFFF) for p, v in inputs) or (
        TxIn("0" * 64, 0xFFFFFFFF, b"\x03\x01\x02\x03", 0xFFFFFFFF),)
    outs = tuple(TxOut(n, v, s) for n, (v, s) in enumerate(outputs))
    return Tx(txid, txid, 1, 0, ins, outs, size=200, weight=800)


def named_tx(scripts: Mapping[str, bytes]
             ) -> Callable[[str, Sequence[tuple[str, int]], Sequence[tuple[int, str]]], Tx]:
    """`tx` with outputs paying scripts by name, e.g. (10 * BTC, "A")."""

    def make(txid: str, inputs: Sequence[tuple[str, int]],
             outputs: Sequence[tuple[int, str]]) -> Tx:
        return tx(txid, inputs, [(v, scripts[name]) for v, name in outputs])

    return make


def block(h: str, prev: str, txs: Sequence[Tx], bits: int = EASY, time: int = TIME) -> Block:
    return Block(BlockHeader(h, 1, prev, hx("f"), time, bits, 0), tuple(txs),
                 size=1000, weight=4000, source="hand-built")
