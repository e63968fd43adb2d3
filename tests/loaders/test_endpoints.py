"""loaders.endpoints: what a user names as a trace start, path ends, taint sources or an
exposure target is checked before any query, the same way for the CLI and the API."""

from __future__ import annotations

import pytest

from chaintrail.errors import AddressError, ParameterError
from loaders.endpoints import check_path_ends, check_sources, check_start, check_target

GOOD = "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"
TYPO = GOOD[:-1] + "T"  # a bad base58check checksum
ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # EIP-55 mixed case
TXID = "ab" * 32


def test_starts() -> None:
    assert check_start(GOOD, None) == "bitcoin"
    assert check_start(TXID, None) == "bitcoin"
    assert check_start(f"{TXID}:1", None) == "bitcoin"
    assert check_start(ETH, None) == "ethereum"
    with pytest.raises(AddressError, match="checksum"):
        check_start(TYPO, None)
    with pytest.raises(AddressError, match="Ethereum-style account"):  # the wrong chain
        check_start(ETH, "bitcoin")
    with pytest.raises(AddressError, match="EIP-55"):
        check_start(ETH[:-1] + "F", None)
    with pytest.raises(ParameterError):
        check_start("not an address!", None)


def test_path_ends() -> None:
    assert check_path_ends(GOOD, f"cluster:{GOOD}", None) == "bitcoin"
    with pytest.raises(AddressError):
        check_path_ends("foo", "bar", None)
    with pytest.raises(AddressError, match="checksum"):
        check_path_ends(GOOD, f"cluster:{TYPO}", None)
    with pytest.raises(ParameterError, match="between addresses"):
        check_path_ends(GOOD, TXID, None)
    with pytest.raises(ParameterError, match="no clusters on Ethereum"):
        check_path_ends(ETH, f"cluster:{ETH}", None)


def test_sources_and_targets() -> None:
    assert check_sources([f"{TXID}:0", GOOD, f"cluster:{GOOD}", TXID], None) == "bitcoin"
    with pytest.raises(AddressError):
        check_sources([GOOD, TYPO], None)
    assert check_target(f"cluster:{GOOD}", None) == "bitcoin"
    assert check_target(ETH.lower(), None) == "ethereum"
    with pytest.raises(AddressError):
        check_target(TYPO, None)
    with pytest.raises(ParameterError, match="no clusters on Ethereum"):
        check_target(f"cluster:{ETH}", None)
