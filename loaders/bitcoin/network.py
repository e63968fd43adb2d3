"""Bitcoin network parameters: what a block file's magic, an address and proof of work depend on.

Values are Bitcoin Core's (`src/kernel/chainparams.cpp`). Testnet3, testnet4 and signet share
address encodings (base58 versions 111/196, bech32 prefix `tb`), so an address alone cannot tell
them apart; regtest shares the base58 versions but has its own bech32 prefix `bcrt`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Network:
    """The parameters of one Bitcoin network that the loaders need."""

    name: str
    magic: bytes
    """The 4 message-start bytes that frame records in `blk*.dat` files."""
    p2pkh_version: int
    p2sh_version: int
    bech32_hrp: str
    genesis_hash: str
    """Display order (byte-reversed) hex, like every hash in the model."""
    pow_limit: int
    """The easiest target a block header may claim."""
    bip34_height: int = 1
    """From this height on a block's coinbase states its height (BIP34)."""


_LIMIT_32_ZERO_BITS = (1 << 224) - 1

MAINNET = Network(
    name="mainnet",
    magic=bytes.fromhex("f9beb4d9"),
    p2pkh_version=0x00,
    p2sh_version=0x05,
    bech32_hrp="bc",
    genesis_hash="000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    pow_limit=_LIMIT_32_ZERO_BITS,
    bip34_height=227_931,
)

TESTNET = Network(
    name="testnet",
    magic=bytes.fromhex("0b110907"),
    p2pkh_version=0x6F,
    p2sh_version=0xC4,
    bech32_hrp="tb",
    genesis_hash="000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
    pow_limit=_LIMIT_32_ZERO_BITS,
    bip34_height=21_111,
)

TESTNET4 = Network(
    name="testnet4",
    magic=bytes.fromhex("1c163f28"),
    p2pkh_version=0x6F,
    p2sh_version=0xC4,
    bech32_hrp="tb",
    genesis_hash="00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
    pow_limit=_LIMIT_32_ZERO_BITS,
)

SIGNET = Network(
    name="signet",
    magic=bytes.fromhex("0a03cf40"),
    p2pkh_version=0x6F,
    p2sh_version=0xC4,
    bech32_hrp="tb",
    genesis_hash="00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
    pow_limit=0x00000377AE << 216,
)

REGTEST = Network(
    name="regtest",
    magic=bytes.fromhex("fabfb5da"),
    p2pkh_version=0x6F,
    p2sh_version=0xC4,
    bech32_hrp="bcrt",
    genesis_hash="0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
    pow_limit=(1 << 255) - 1,
)

NETWORKS: dict[str, Network] = {n.name: n for n in (MAINNET, TESTNET, TESTNET4, SIGNET, REGTEST)}
"""Every known network by name. The order matters: where encodings are shared (testnet,
testnet4, signet), the first one is the name an address decodes to."""

_BY_MAGIC: dict[bytes, Network] = {n.magic: n for n in NETWORKS.values()}


def network_by_magic(magic: bytes) -> Network | None:
    """The network whose `blk*.dat` record magic is `magic`, or None for unknown bytes."""
    return _BY_MAGIC.get(bytes(magic))
