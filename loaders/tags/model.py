"""Attribution tags: the row a tag file becomes, confidence levels, and address checks.

A `Tag` claims that an address belongs to someone or something (`label`, `category`, `abuse`),
says who claims it (`source`, `creator`, `title`) and how much to trust it (`confidence`, a
named level with a number). Its `id` hashes what makes the claim (currency, address, source,
label, category), so the same claim read again, from the same file or another, is the same
node: loading is idempotent.

Only Bitcoin (`BTC`) and Ethereum (`ETH`) tags are loaded. A Bitcoin address must decode for
mainnet (`loaders.bitcoin.address.decode_address`). An Ethereum address is `0x` and 40 hex
digits; a mixed-case one must carry a valid EIP-55 checksum (`loaders.ethereum.address`,
keccak-256); it is stored lowercased (the case is presentation only).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import base58

from chaintrail.errors import AddressError, InputError
from loaders.bitcoin.address import bech32_decode, decode_address
from loaders.bitcoin.network import MAINNET, NETWORKS, Network
from loaders.ethereum.address import checksum_ok
from loaders.ethereum.address import eip55_checksum as eip55_checksum  # re-exported
from loaders.ethereum.address import is_eth_like as is_eth_like  # re-exported

BTC: Final = "BTC"
ETH: Final = "ETH"
LOADED_CURRENCIES: Final = frozenset({BTC, ETH})

CONFIDENCE_LEVELS: Final[Mapping[str, int]] = {
    # The levels docs/domain.md gives (the public TagPacks repository does not ship them) ...
    "ownership": 100,
    "forensic": 70,
    "authority_data": 60,
    "service_data": 50,
    "web_crawl": 20,
    "heuristic": 10,
    # ... and the other names of GraphSense's taxonomy, with its levels
    # (graphsense-tagpack-tool, src/tagpack/db/confidence.csv).
    "override": 100,
    "ledger_immanent": 100,
    "manual_transaction": 90,
    "service_api": 70,
    "forensic_investigation": 70,
    "trusted_provider": 50,
    "untrusted_transaction": 40,
    "unknown": 5,
}
"""Confidence name -> level (0..100). Note: GraphSense's own table gives `forensic` 50 (its
70 is `forensic_investigation`); domain.md's 70 is kept here as the project's reference."""

UNKNOWN_CONFIDENCE: Final = "unknown"
"""Given to a tag whose file names no confidence at all (counted in the load summary)."""

_TRON_VERSION = 0x41


@dataclass(frozen=True, slots=True)
class Tag:
    """One attribution tag, validated, as it is written (`cypher/load/tags/tags.cypher`)."""

    address: str
    """Normalised: Bitcoin as given (it decoded), Ethereum lowercased."""
    currency: str
    script_type: str
    """For a new `Address` node: the Bitcoin address kind (p2pkh, ...); `ethereum` for an
    Ethereum tag (which attaches to an `Account`, without it)."""
    label: str
    source: str
    category: str | None
    abuse: str | None
    confidence: int
    confidence_name: str
    creator: str | None
    title: str | None
    lastmod: str | None
    is_public: bool | None
    tagpack: str
    """The file it was read from."""
    line: int
    """The line of its entry in that file (1-based)."""

    @property
    def id(self) -> str:
        return tag_id(self.currency, self.address, self.source, self.label, self.category)

    def row(self) -> dict[str, Any]:
        """The parameter map of one tag for the write query."""
        return {
            "id": self.id,
            "address": self.address,
            "currency": self.currency,
            "script_type": self.script_type,
            "label": self.label,
            "source": self.source,
            "category": self.category,
            "abuse": self.abuse,
            "confidence": self.confidence,
            "confidence_name": self.confidence_name,
            "creator": self.creator,
            "title": self.title,
            "lastmod": self.lastmod,
            "is_public": self.is_public,
            "tagpack": self.tagpack,
            "line": self.line,
        }


def tag_id(currency: str, address: str, source: str, label: str, category: str | None) -> str:
    """32 hex digits of SHA-256 over what makes the claim; fields joined by the unit separator
    (which no field contains), so that no two claims share an id by concatenation."""
    key = "\x1f".join((currency, address, source, label, category or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Problem:
    """An invalid entry: skipped, reported with its file and line."""

    source: str
    line: int
    kind: str
    """A short reason for the summary: another_chain, bad_address, bad_checksum,
    unknown_confidence, missing_field, bad_entry."""
    message: str

    def __str__(self) -> str:
        return f"{self.source} line {self.line}: {self.message}"


class InvalidEntry(ValueError):
    """Raised by the checks below; the file readers turn it into a `Problem`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def confidence_level(name: str | None) -> tuple[str, int]:
    """(name, level) of a named confidence; None (not given) is `unknown`."""
    if name is None:
        return UNKNOWN_CONFIDENCE, CONFIDENCE_LEVELS[UNKNOWN_CONFIDENCE]
    key = name.strip()
    if key not in CONFIDENCE_LEVELS:
        raise InvalidEntry("unknown_confidence", f"unknown confidence {name!r} (known: "
                           f"{', '.join(sorted(CONFIDENCE_LEVELS))})")
    return key, CONFIDENCE_LEVELS[key]


def check_eth(address: str) -> str:
    """The lowercased address, or InvalidEntry (not 40 hex digits, or a bad EIP-55 checksum)."""
    if not is_eth_like(address):
        other = other_chain(address, exclude=ETH)
        if other is not None:
            raise InvalidEntry("another_chain",
                               f"{address!r} is an address of another chain ({other}), "
                               "not Ethereum")
        raise InvalidEntry("bad_address",
                           f"{address!r} is not an Ethereum address (0x and 40 hex digits)")
    if not checksum_ok(address):
        raise InvalidEntry("bad_checksum",
                           f"{address!r}: bad EIP-55 checksum (expected {eip55_checksum(address)})")
    return address.lower()


def check_btc(address: str, net: Network = MAINNET) -> tuple[str, str]:
    """(address, kind) for a Bitcoin address of `net` (mainnet unless a load says otherwise),
    or InvalidEntry saying why not."""
    bitcoin = "Bitcoin" if net is MAINNET else f"Bitcoin {net.name}"
    try:
        decoded = decode_address(address, net)
    except AddressError as e:
        other = other_chain(address, exclude=BTC, net=net)
        if other is not None:
            raise InvalidEntry(
                "another_chain",
                f"{address!r} is an address of another chain ({other}), not {bitcoin}") from e
        raise InvalidEntry("bad_address", f"not a {bitcoin} address: {e}") from e
    return address, decoded.kind


def check_address(address: str, currency: str, net: Network = MAINNET) -> tuple[str, str]:
    """(normalised address, script_type) of a BTC (on `net`) or ETH address, or
    InvalidEntry."""
    if currency == ETH:
        return check_eth(address), "ethereum"
    return check_btc(address, net)


def other_chain(address: str, *, exclude: str, net: Network = MAINNET) -> str | None:
    """What other chain's (or network's) address this looks like, when it is sure of it."""
    if exclude != ETH and is_eth_like(address):
        return "Ethereum-style 0x address"
    if exclude != BTC:
        try:
            decoded = decode_address(address)
        except AddressError:
            pass
        else:
            return f"Bitcoin {decoded.network}"
    if exclude == BTC:
        for other in NETWORKS.values():
            if other is not net and _decodes_on(address, other.name):
                return f"Bitcoin {other.name}"
    try:
        payload = base58.b58decode_check(address)
    except ValueError:
        payload = b""
    if len(payload) == 21 and payload[0] == _TRON_VERSION:
        return "TRON"
    if len(payload) == 21:
        return f"base58check version byte {payload[0]}"
    try:
        hrp, _, _ = bech32_decode(address)
    except AddressError:
        return None
    return f"bech32 prefix {hrp!r}"


def _decodes_on(address: str, network: str) -> bool:
    try:
        decode_address(address, NETWORKS[network])
    except AddressError:
        return False
    return True


class UnsupportedFile(InputError):
    """A file that is neither a TagPack nor an address list (in a directory: left out)."""


@dataclass(slots=True)
class FileResult:
    """What one file gave: its valid tags, its invalid entries, and what it skipped."""

    source: str
    format: str
    """tagpack, txt, csv or json."""
    tags: list[Tag] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    """Entries of a currency that is not loaded, by currency."""
    confidence_missing: int = 0
    """Tags whose file names no confidence: stored as `unknown`."""

    def problem(self, line: int, e: InvalidEntry) -> None:
        self.problems.append(Problem(self.source, line, e.kind, e.message))
