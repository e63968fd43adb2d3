"""Output script classification: the script type and the address an output pays.

Called once per output, so the common templates are matched by length and byte comparisons
before anything general. The templates and names follow Bitcoin Core's `Solver`
(`src/script/solver.cpp`) with the lowercase names the facts files use: p2pk, p2pkh, p2sh,
p2wpkh, p2wsh, p2tr, witness_unknown, multisig, nulldata, nonstandard.
"""

from __future__ import annotations

from typing import Final

from loaders.bitcoin.address import hash160, p2pkh_address, p2sh_address, segwit_address
from loaders.bitcoin.model import ScriptInfo
from loaders.bitcoin.network import Network

SCRIPT_TYPES: Final = (
    "p2pk",
    "p2pkh",
    "p2sh",
    "p2wpkh",
    "p2wsh",
    "p2tr",
    "witness_unknown",
    "multisig",
    "nulldata",
    "nonstandard",
)
"""Every script type `classify_script` returns."""

ADDRESS_TYPES: Final = frozenset({"p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "witness_unknown"})
"""Script types whose address is their own (P2PK's address is the P2PKH of its key)."""

_OP_0 = 0x00
_OP_PUSHDATA1 = 0x4C
_OP_PUSHDATA2 = 0x4D
_OP_PUSHDATA4 = 0x4E
_OP_1 = 0x51
_OP_16 = 0x60
_OP_RETURN = 0x6A
_OP_CHECKSIG = 0xAC
_OP_CHECKMULTISIG = 0xAE

_P2PKH_HEAD = b"\x76\xa9\x14"  # OP_DUP OP_HASH160 <20>
_P2PKH_TAIL = b"\x88\xac"  # OP_EQUALVERIFY OP_CHECKSIG
_P2SH_HEAD = b"\xa9\x14"  # OP_HASH160 <20>
_P2WPKH_HEAD = b"\x00\x14"  # OP_0 <20>
_P2WSH_HEAD = b"\x00\x20"  # OP_0 <32>
_P2TR_HEAD = b"\x51\x20"  # OP_1 <32>


def _valid_pubkey_size(key: bytes) -> bool:
    """Core's CPubKey::ValidSize: the length the first byte announces (hybrid keys included)."""
    n = len(key)
    if n == 33:
        return key[0] in (2, 3)
    if n == 65:
        return key[0] in (4, 6, 7)
    return False


def _is_push_only(script: bytes, pos: int) -> bool:
    """Whether script[pos:] is only well-formed pushes (Core's IsPushOnly, OP_RESERVED too)."""
    end = len(script)
    while pos < end:
        op = script[pos]
        pos += 1
        if op > _OP_16:
            return False
        if op < _OP_PUSHDATA1:
            size = op
        elif op == _OP_PUSHDATA1:
            if pos + 1 > end:
                return False
            size = script[pos]
            pos += 1
        elif op == _OP_PUSHDATA2:
            if pos + 2 > end:
                return False
            size = int.from_bytes(script[pos : pos + 2], "little")
            pos += 2
        elif op == _OP_PUSHDATA4:
            if pos + 4 > end:
                return False
            size = int.from_bytes(script[pos : pos + 4], "little")
            pos += 4
        else:
            size = 0
        pos += size
        if pos > end:
            return False
    return True


def _multisig_keys(spk: bytes) -> tuple[int, list[bytes]] | None:
    """(m, keys) of a bare `OP_m <key>... OP_n OP_CHECKMULTISIG`, or None (Core's rules)."""
    m = spk[0] - 0x50
    n = spk[-2] - 0x50
    if not (1 <= m <= 16 and 1 <= n <= 16 and m <= n):
        return None
    keys = []
    pos, end = 1, len(spk) - 2
    while pos < end:
        size = spk[pos]
        key = spk[pos + 1 : pos + 1 + size]
        if size not in (33, 65) or len(key) != size or not _valid_pubkey_size(key):
            return None
        keys.append(key)
        pos += 1 + size
    if pos != end or len(keys) != n:
        return None
    return m, keys


def classify_script(spk: bytes, net: Network) -> ScriptInfo:
    """The type of an output script, the address it pays (if any) and a P2PK key.

    P2PK gets the P2PKH address of its key (what explorers show) and keeps the key in hex;
    multisig (with m and n in `extra`), nulldata and nonstandard scripts have no address.
    """
    n = len(spk)
    if n == 25 and spk[:3] == _P2PKH_HEAD and spk[23:] == _P2PKH_TAIL:
        return ScriptInfo("p2pkh", p2pkh_address(spk[3:23], net))
    if n == 23 and spk[:2] == _P2SH_HEAD and spk[22] == 0x87:
        return ScriptInfo("p2sh", p2sh_address(spk[2:22], net))
    if n == 22 and spk[:2] == _P2WPKH_HEAD:
        return ScriptInfo("p2wpkh", segwit_address(0, spk[2:], net))
    if n == 34:
        head = spk[:2]
        if head == _P2WSH_HEAD:
            return ScriptInfo("p2wsh", segwit_address(0, spk[2:], net))
        if head == _P2TR_HEAD:
            return ScriptInfo("p2tr", segwit_address(1, spk[2:], net))
    if n == 0:
        return ScriptInfo("nonstandard")
    first = spk[0]
    last = spk[-1]
    if (n == 35 or n == 67) and last == _OP_CHECKSIG and first == n - 2:
        key = spk[1:-1]
        if _valid_pubkey_size(key):
            return ScriptInfo("p2pk", p2pkh_address(hash160(key), net), key.hex())
    if first == _OP_RETURN:
        return ScriptInfo("nulldata" if _is_push_only(spk, 1) else "nonstandard")
    if 4 <= n <= 42 and (first == _OP_0 or _OP_1 <= first <= _OP_16) and spk[1] + 2 == n:
        witver = 0 if first == _OP_0 else first - 0x50
        if witver == 0:  # v0 programs other than 20 or 32 bytes are unspendable
            return ScriptInfo("nonstandard")
        return ScriptInfo(
            "witness_unknown", segwit_address(witver, spk[2:], net), extra={"witver": witver}
        )
    if last == _OP_CHECKMULTISIG and n >= 37 and _OP_1 <= first <= _OP_16:
        found = _multisig_keys(spk)
        if found is not None:
            m, keys = found
            return ScriptInfo("multisig", extra={"m": m, "n": len(keys)})
    return ScriptInfo("nonstandard")
