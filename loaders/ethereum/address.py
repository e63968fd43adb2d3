"""Ethereum addresses: lower-case `0x` + 40 hex digits in the graph, EIP-55 for display.

The EIP-55 mixed case is a checksum (keccak-256 of the lower-case hex, from pycryptodome's
`Crypto.Hash.keccak`), not part of the address: it is checked where a person typed it and
dropped on the way in.
"""

from __future__ import annotations

import re
from typing import Any, Final

from Crypto.Hash import keccak

from chaintrail.errors import AddressError

ZERO_ADDRESS: Final = "0x" + "0" * 40
"""The zero address: the source of minted value (block rewards, withdrawals, token mints)
and where token burns go. Burnt fees reach no account (they are booked on the transaction)."""

_ETH_RE = re.compile(r"0x[0-9a-fA-F]{40}")
_STORED_ETH = re.compile(r"0x[0-9a-f]{40}")


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of a `0x` + 40-hex address."""
    body = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=body.encode("ascii")).hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(body)
    )


def is_eth_like(address: str) -> bool:
    """`0x` and 40 hex digits, in any case."""
    return _ETH_RE.fullmatch(address) is not None


def checksum_ok(address: str) -> bool:
    """True for a single-case address or one with a valid EIP-55 checksum."""
    body = address[2:]
    return body in (body.lower(), body.upper()) or eip55_checksum(address) == address


def check_address(address: str) -> str:
    """The lower-case address, or AddressError (not 0x + 40 hex digits, or a bad EIP-55
    checksum: a mixed-case address whose case does not match is a typo, not an address)."""
    if not is_eth_like(address):
        raise AddressError(f"{address!r} is not an Ethereum address (0x and 40 hex digits)")
    if not checksum_ok(address):
        raise AddressError(f"{address!r}: bad EIP-55 checksum "
                           f"(expected {eip55_checksum(address)})")
    return address.lower()


def _rlp_bytes(b: bytes) -> bytes:
    if len(b) == 1 and b[0] < 0x80:
        return b
    if len(b) > 55:  # not needed for an address and a nonce
        raise ValueError("long RLP strings are not supported")
    return bytes([0x80 + len(b)]) + b


def contract_address(sender: str, nonce: int) -> str:
    """The address a CREATE from `sender` at `nonce` deploys to: keccak(rlp([sender, nonce])).

    Used when a contract creation is loaded without its receipt or trace (which name it).
    """
    nonce_bytes = nonce.to_bytes((nonce.bit_length() + 7) // 8, "big") if nonce else b""
    payload = _rlp_bytes(bytes.fromhex(sender[2:])) + _rlp_bytes(nonce_bytes)
    return "0x" + keccak256(bytes([0xC0 + len(payload)]) + payload)[12:].hex()


def displayed(v: Any) -> Any:
    """A value to show, with every Ethereum address in it (stored lower-case) in its EIP-55
    case, in strings, lists and maps at any depth: what the CLI, the API and exports show."""
    if isinstance(v, str):
        return eip55_checksum(v) if _STORED_ETH.fullmatch(v) else v
    if isinstance(v, list):
        return [displayed(x) for x in v]
    if isinstance(v, dict):
        return {k: displayed(x) for k, x in v.items()}
    return v
