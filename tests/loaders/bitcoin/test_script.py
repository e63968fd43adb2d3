"""Output script classification: every template, its address, and round trips via the codec."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.bitcoin.address import decode_address, hash160
from loaders.bitcoin.network import MAINNET, NETWORKS, TESTNET, Network
from loaders.bitcoin.script import ADDRESS_TYPES, SCRIPT_TYPES, classify_script

GENESIS_KEY = bytes.fromhex(
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f3"
    "5504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f"
)
COMPRESSED_KEY = bytes.fromhex(
    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
)
H20 = bytes(range(20))
H32 = bytes(range(32))


def h(s: str) -> bytes:
    return bytes.fromhex(s)


@pytest.mark.parametrize(
    ("spk", "script_type", "address"),
    [
        (b"\x41" + GENESIS_KEY + b"\xac", "p2pk", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        (b"\x21" + COMPRESSED_KEY + b"\xac", "p2pk", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"),
        (h("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"), "p2pkh",
         "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        (h("a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"), "p2sh",
         "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        (h("0014751e76e8199196d454941c45d1b3a323f1433bd6"), "p2wpkh",
         "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
        (h("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"), "p2wsh",
         "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"),
        (h("512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"), "p2tr",
         "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
        (h("6002751e"), "witness_unknown", "bc1sw50qgdz25j"),
        (h("5210751e76e8199196d454941c45d1b3a323"), "witness_unknown",
         "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs"),
        (h("5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
         "witness_unknown",
         "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y"),
        (h("51024e73"), "witness_unknown", "bc1pfeessrawgf"),  # pay-to-anchor (Core 28)
    ],
)  # fmt: skip
def test_templates_with_addresses(spk: bytes, script_type: str, address: str) -> None:
    info = classify_script(spk, MAINNET)
    assert (info.script_type, info.address) == (script_type, address)
    if script_type == "p2pk":
        assert info.pubkey == spk[1:-1].hex()
        # the P2PKH address of the key, as explorers show it
        assert decode_address(address, MAINNET).program == hash160(spk[1:-1])
    else:
        assert info.pubkey is None
        assert decode_address(address, MAINNET).script_pubkey == spk


@pytest.mark.parametrize(
    ("spk", "script_type", "extra"),
    [
        (b"", "nonstandard", {}),
        (b"\x6a", "nulldata", {}),  # a bare OP_RETURN is push-only
        (b"\x6a\x04test", "nulldata", {}),
        (b"\x6a\x4c\x02hi\x00\x51", "nulldata", {}),  # PUSHDATA1, OP_0, OP_1
        (b"\x6a\x04te", "nonstandard", {}),  # push runs past the end
        (b"\x6a\x04test\xac", "nonstandard", {}),  # not push-only
        (b"\x51\x21" + COMPRESSED_KEY + b"\x21" + COMPRESSED_KEY + b"\x52\xae", "multisig",
         {"m": 1, "n": 2}),
        (b"\x52\x41" + GENESIS_KEY + b"\x21" + COMPRESSED_KEY + b"\x52\xae", "multisig",
         {"m": 2, "n": 2}),
        (b"\x53\x21" + COMPRESSED_KEY + b"\x21" + COMPRESSED_KEY + b"\x52\xae", "nonstandard",
         {}),  # m > n
        (b"\x51\x21" + COMPRESSED_KEY + b"\x53\xae", "nonstandard", {}),  # n != key count
        (b"\x51\x21" + b"\x05" + COMPRESSED_KEY[1:] + b"\x51\xae", "nonstandard", {}),  # bad key
        (b"\x21" + b"\x04" + COMPRESSED_KEY[1:] + b"\xac", "nonstandard", {}),  # size mismatch
        (b"\x00\x15" + bytes(21), "nonstandard", {}),  # v0 program of 21 bytes
        (b"\x00\x14" + bytes(19), "nonstandard", {}),  # push length wrong
        (b"\x76\xa9\x14" + H20 + b"\x88\xad", "nonstandard", {}),
    ],
)  # fmt: skip
def test_templates_without_addresses(spk: bytes, script_type: str, extra: dict[str, int]) -> None:
    info = classify_script(spk, MAINNET)
    assert (info.script_type, info.address, info.extra) == (script_type, None, extra)


def test_addresses_follow_the_network() -> None:
    testnet = classify_script(b"\x76\xa9\x14" + H20 + b"\x88\xac", TESTNET).address
    assert testnet is not None and testnet[0] in "mn"
    assert decode_address(testnet).network == "testnet"
    regtest = classify_script(b"\x00\x20" + H32, NETWORKS["regtest"]).address
    assert regtest is not None and regtest.startswith("bcrt1q")


def test_witness_unknown_keeps_its_version() -> None:
    assert classify_script(h("6002751e"), MAINNET).extra == {"witver": 16}


def check_round_trip(spk: bytes, net: Network) -> None:
    info = classify_script(spk, net)
    assert info.script_type in SCRIPT_TYPES
    if info.script_type in ADDRESS_TYPES:
        assert info.address is not None
        assert decode_address(info.address, net).script_pubkey == spk
    elif info.script_type == "p2pk":
        assert info.pubkey is not None and info.address is not None
        assert decode_address(info.address, net).program == hash160(bytes.fromhex(info.pubkey))
    else:
        assert info.address is None


@given(st.binary(max_size=80), st.sampled_from(list(NETWORKS.values())))
def test_any_script_classifies_and_addresses_round_trip(spk: bytes, net: Network) -> None:
    check_round_trip(spk, net)


@st.composite
def template_scripts(draw: st.DrawFn) -> bytes:
    """Scripts of every address template, so the property above sees them often."""
    kind = draw(st.sampled_from(["p2pkh", "p2sh", "v0", "vN", "p2pk"]))
    if kind == "p2pkh":
        return b"\x76\xa9\x14" + draw(st.binary(min_size=20, max_size=20)) + b"\x88\xac"
    if kind == "p2sh":
        return b"\xa9\x14" + draw(st.binary(min_size=20, max_size=20)) + b"\x87"
    if kind == "v0":
        prog = draw(st.sampled_from([20, 32]))
        return bytes((0, prog)) + draw(st.binary(min_size=prog, max_size=prog))
    if kind == "vN":
        size = draw(st.integers(2, 40))
        return bytes((0x50 + draw(st.integers(1, 16)), size)) + draw(
            st.binary(min_size=size, max_size=size)
        )
    key = draw(st.binary(min_size=32, max_size=32))
    return b"\x21" + draw(st.sampled_from([b"\x02", b"\x03"])) + key + b"\xac"


@given(template_scripts(), st.sampled_from(list(NETWORKS.values())))
def test_template_scripts_round_trip(spk: bytes, net: Network) -> None:
    check_round_trip(spk, net)
    assert classify_script(spk, net).address is not None
