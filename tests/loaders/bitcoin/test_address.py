"""Address codec: BIP-173/350 vectors, base58check, and round trips over every kind and network."""

from __future__ import annotations

import hashlib

import base58
import bech32
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaintrail.errors import AddressError
from loaders.bitcoin.address import (
    _ripemd160_py,
    bech32_decode,
    bech32_encode,
    decode_address,
    hash160,
    is_valid_address,
    p2pkh_address,
    p2sh_address,
    segwit_address,
)
from loaders.bitcoin.network import MAINNET, NETWORKS, REGTEST, SIGNET, TESTNET, Network

NETS = list(NETWORKS.values())
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

# BIP-350 "Test vectors for v0-v16 native segregated witness addresses" (valid).
VALID_SEGWIT = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]

# BIP-350 invalid segwit addresses, with a fragment of the reason we must give.
INVALID_SEGWIT = [
    ("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "unknown bech32 prefix"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "must use bech32m"),
    ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "must use bech32m"),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "must use bech32m"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "must use bech32, not bech32m"),
    ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "must use bech32, not"),
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "invalid bech32 character"),
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "invalid witness version"),
    ("bc1pw5dgrnzv", "bad length"),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
        "bad length",
    ),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "bad length"),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixes upper and lower"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "padding"),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "padding"),
    ("bc1gmk9yu", "no witness version"),
]

# BIP-173 / BIP-350 valid bech32 and bech32m strings (any prefix).
VALID_BECH32 = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
VALID_BECH32M = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]
INVALID_BECH32 = [
    "\x201nwldj5",  # prefix character out of range
    "\x7f1axkwrx",
    "\x801eym55h",
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty prefix
    "x1b4n0q5v",  # invalid data character
    "li1dgmt3",  # checksum too short
    "de1lg7wt\xff",
    "A1G7SGD8",  # checksum computed with the uppercase prefix
    "10a06t8",
    "1qzzfhee",
    # BIP-350 invalid bech32m strings
    "y1b0jsk6g",
    "lt1igcx5c0",
    "in1muywd",
    "mm1crxm3i",
    "au1s5cgom",
    "M1VUXWEZ",
    "16plkw9",
    "1p2gdwpf",
]


def test_bip350_valid_addresses_decode_to_their_script() -> None:
    for addr, spk in VALID_SEGWIT:
        decoded = decode_address(addr)
        assert decoded.script_pubkey.hex() == spk, addr
        net = NETWORKS[decoded.network]
        assert decode_address(addr, net) == decoded
        # and encode back (lowercase, the canonical form)
        assert segwit_address(decoded.witver or 0, decoded.program, net) == addr.lower()


@pytest.mark.parametrize(("addr", "reason"), INVALID_SEGWIT)
def test_bip350_invalid_addresses_are_rejected_with_reason(addr: str, reason: str) -> None:
    with pytest.raises(AddressError, match=reason):
        decode_address(addr)
    assert not is_valid_address(addr)


def test_bech32_and_bech32m_strings() -> None:
    for s in VALID_BECH32:
        assert bech32_decode(s)[2] == "bech32", s
    for s in VALID_BECH32M:
        assert bech32_decode(s)[2] == "bech32m", s
    for s in INVALID_BECH32:
        with pytest.raises(AddressError):
            bech32_decode(s)


def test_known_base58_addresses() -> None:
    genesis = decode_address("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert (genesis.network, genesis.kind) == ("mainnet", "p2pkh")
    assert genesis.program.hex() == "62e907b15cbf27d5425399ebf6f0fb50ebb88f18"
    p2sh = decode_address("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
    assert p2sh.script_pubkey.hex() == "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"
    # the genesis coinbase key: its P2PKH address is the one explorers show
    key = bytes.fromhex(
        "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f3"
        "5504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f"
    )
    assert p2pkh_address(hash160(key), MAINNET) == "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"


@pytest.mark.parametrize(
    ("addr", "reason"),
    [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "checksum"),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN", "checksum"),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a", "invalid characters '0'"),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa ", "whitespace"),
        ("", "empty"),
        ("1" * 10_000, "too long for an address"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "Ethereum-style account"),
        # a valid base58check payload that is not 21 bytes
        (base58.b58encode_check(b"\x00" * 22).decode(), "bad length"),
        (base58.b58encode_check(b"\x30" + b"\x01" * 20).decode(), "unknown base58 version"),
    ],
)
def test_bad_base58_addresses(addr: str, reason: str) -> None:
    with pytest.raises(AddressError, match=reason):
        decode_address(addr)


def test_wrong_network_is_named() -> None:
    with pytest.raises(AddressError, match="testnet address, expected mainnet"):
        decode_address("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", MAINNET)
    with pytest.raises(AddressError, match="another network, expected mainnet"):
        decode_address(p2pkh_address(bytes(20), TESTNET), MAINNET)
    with pytest.raises(AddressError, match="expected regtest"):
        decode_address(segwit_address(0, bytes(20), TESTNET), REGTEST)
    # testnet and signet share encodings: accepted for either, named as asked
    addr = segwit_address(0, bytes(20), SIGNET)
    assert decode_address(addr, SIGNET).network == "signet"
    assert decode_address(addr).network == "testnet"
    assert is_valid_address(addr, TESTNET) and not is_valid_address(addr, MAINNET)


def test_encoders_reject_impossible_programs() -> None:
    with pytest.raises(ValueError, match="20 bytes"):
        p2pkh_address(bytes(19), MAINNET)
    with pytest.raises(ValueError, match="20 or 32"):
        segwit_address(0, bytes(21), MAINNET)
    with pytest.raises(ValueError, match=r"2\.\.40"):
        segwit_address(1, bytes(41), MAINNET)
    with pytest.raises(ValueError, match=r"0\.\.16"):
        segwit_address(17, bytes(32), MAINNET)


def test_hash160_and_its_fallback() -> None:
    assert hash160(b"").hex() == "b472a266d0bd89c13706a4132ccfb16f7c3b9fcb"
    for msg in (b"", b"abc", b"message digest", b"a" * 1000, bytes(range(256))):
        assert _ripemd160_py(msg) == hashlib.new("ripemd160", msg).digest()
    # the published RIPEMD-160 vector
    assert _ripemd160_py(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"


# --- properties ------------------------------------------------------------------------------

nets = st.sampled_from(NETS)
hashes = st.binary(min_size=20, max_size=20)


@st.composite
def witness_programs(draw: st.DrawFn) -> tuple[int, bytes]:
    witver = draw(st.integers(0, 16))
    size = draw(st.sampled_from([20, 32]) if witver == 0 else st.integers(2, 40))
    return witver, draw(st.binary(min_size=size, max_size=size))


@given(hashes, nets)
def test_base58_round_trip(h: bytes, net: Network) -> None:
    for kind, encode in (("p2pkh", p2pkh_address), ("p2sh", p2sh_address)):
        addr = encode(h, net)
        version = net.p2pkh_version if kind == "p2pkh" else net.p2sh_version
        assert addr == base58.b58encode_check(bytes([version]) + h).decode()
        decoded = decode_address(addr, net)
        assert (decoded.network, decoded.kind, decoded.program) == (net.name, kind, h)
        assert decoded.witver is None


@given(witness_programs(), nets)
def test_segwit_round_trip(prog: tuple[int, bytes], net: Network) -> None:
    witver, program = prog
    addr = segwit_address(witver, program, net)
    decoded = decode_address(addr, net)
    assert (decoded.network, decoded.witver, decoded.program) == (net.name, witver, program)
    expected_kind = {20: "p2wpkh", 32: "p2wsh"}[len(program)] if witver == 0 else (
        "p2tr" if witver == 1 and len(program) == 32 else "witness_unknown"
    )  # fmt: skip
    assert decoded.kind == expected_kind
    assert decode_address(addr.upper(), net) == decoded
    if witver == 0:  # the bech32 library (BIP-173 reference code) agrees for v0
        assert addr == bech32.encode(net.bech32_hrp, 0, program)


@given(witness_programs(), nets)
def test_fast_and_plain_bech32_encoders_agree(prog: tuple[int, bytes], net: Network) -> None:
    witver, program = prog
    bits = 8 * len(program)
    groups = (bits + 4) // 5
    n = int.from_bytes(program, "big") << (5 * groups - bits)
    values = [witver] + [(n >> 5 * (groups - 1 - i)) & 31 for i in range(groups)]
    plain = bech32_encode(net.bech32_hrp, values, "bech32" if witver == 0 else "bech32m")
    assert segwit_address(witver, program, net) == plain


def _corrupt(addr: str, pos: int, alphabet: str, shift: int) -> str:
    old = addr[pos]
    new = alphabet[(alphabet.index(old) + shift) % len(alphabet)]
    return addr[:pos] + new + addr[pos + 1 :]


@given(hashes, nets, st.data())
def test_base58_single_character_change_is_detected(
    h: bytes, net: Network, data: st.DataObject
) -> None:
    """Base58check catches a change with probability 1 - 2**-32 (bech32 guarantees it)."""
    addr = p2pkh_address(h, net)
    pos = data.draw(st.integers(0, len(addr) - 1))
    changed = _corrupt(addr, pos, ALPHABET, data.draw(st.integers(1, 57)))
    with pytest.raises(AddressError):
        decode_address(changed, net)


@given(witness_programs(), nets, st.data())
def test_bech32_single_character_change_is_detected(
    prog: tuple[int, bytes], net: Network, data: st.DataObject
) -> None:
    addr = segwit_address(*prog, net)
    start = len(net.bech32_hrp) + 1
    pos = data.draw(st.integers(start, len(addr) - 1))
    changed = _corrupt(addr, pos, BECH32_CHARSET, data.draw(st.integers(1, 31)))
    with pytest.raises(AddressError):
        decode_address(changed, net)


@given(witness_programs(), nets)
def test_bech32_bech32m_confusion_is_rejected(prog: tuple[int, bytes], net: Network) -> None:
    """The same data with the other checksum variant decodes as a string, never as an address."""
    witver, program = prog
    bits = 8 * len(program)
    groups = (bits + 4) // 5
    n = int.from_bytes(program, "big") << (5 * groups - bits)
    values = [witver] + [(n >> 5 * (groups - 1 - i)) & 31 for i in range(groups)]
    wrong = bech32_encode(net.bech32_hrp, values, "bech32m" if witver == 0 else "bech32")
    with pytest.raises(AddressError, match="BIP-350"):
        decode_address(wrong, net)
