"""Token metadata from `eth_call`: symbol(), name() and decimals(), decoded tolerantly.

ERC-20 made these optional, and early tokens return them in other shapes: `bytes32` instead
of `string` (e.g. EOS, MKR), an empty string, zeros, or a revert. What cannot be decoded, or
is empty, is None (unknown), never an error: a token without a symbol still has exact
transfers.
"""

from __future__ import annotations

from typing import Final

SYMBOL: Final = "0x95d89b41"
NAME: Final = "0x06fdde03"
DECIMALS: Final = "0x313ce567"
SELECTORS: Final = {"symbol": SYMBOL, "name": NAME, "decimals": DECIMALS}
MAX_TEXT: Final = 256


def _clean(raw: bytes) -> str | None:
    """Printable text, or None for an empty one (no symbol is unknown, not "")."""
    text = raw.rstrip(b"\x00").decode("utf-8", errors="replace")
    text = "".join(c for c in text if c.isprintable())[:MAX_TEXT]
    return text or None


def decode_text(result: str | None) -> str | None:
    """An ABI `string` answer, or a `bytes32` one (right-padded with zeros); None when the
    answer is neither (empty, a revert, garbage)."""
    if not result or not result.startswith("0x"):
        return None
    try:
        data = bytes.fromhex(result[2:])
    except ValueError:
        return None
    if len(data) == 32:  # bytes32
        return _clean(data)
    if len(data) >= 64:
        offset = int.from_bytes(data[:32], "big")
        if offset + 32 <= len(data):
            length = int.from_bytes(data[offset:offset + 32], "big")
            if offset + 32 + length <= len(data):
                return _clean(data[offset + 32:offset + 32 + length])
    return None


def decode_decimals(result: str | None) -> int | None:
    """A `uint8` answer (some tokens declare uint256); None when absent or out of range."""
    if not result or not result.startswith("0x") or len(result) < 3:
        return None
    try:
        value = int(result[2:66] or "0", 16)
    except ValueError:
        return None
    return value if value <= 255 else None
