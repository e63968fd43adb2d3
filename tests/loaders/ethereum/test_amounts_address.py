"""Exact amounts (limbs, sortable keys) and addresses (EIP-55, CREATE addresses)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.ethereum.address import checksum_ok, contract_address, eip55_checksum
from loaders.ethereum.amounts import MAX_AMOUNT, from_limbs, limbs, value_key

EIP55_EXAMPLES = [  # the examples of EIP-55
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("good", EIP55_EXAMPLES)
def test_eip55(good: str) -> None:
    assert eip55_checksum(good.lower()) == good
    assert checksum_ok(good) and checksum_ok(good.lower()) and checksum_ok(good.upper())
    i = next(i for i, c in enumerate(good) if i > 1 and c.isalpha())
    assert not checksum_ok(good[:i] + good[i].swapcase() + good[i + 1:])


@pytest.mark.parametrize(("nonce", "created"), [
    (0, "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"),
    (1, "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8"),
    (2, "0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91"),
    (3, "0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c"),
])
def test_create_address(nonce: int, created: str) -> None:
    assert contract_address("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0", nonce) == created


def test_limbs_of_known_values() -> None:
    assert limbs(0) == [0] * 9
    assert limbs(2**64) == [709551616, 446744073, 18, 0, 0, 0, 0, 0, 0]
    assert from_limbs(limbs(MAX_AMOUNT)) == MAX_AMOUNT
    assert value_key(2**64) == "0" * 58 + "18446744073709551616"
    with pytest.raises(ValueError):
        limbs(2**256)
    with pytest.raises(ValueError):
        limbs(-1)
    with pytest.raises(ValueError):
        value_key(-1)
    # either side of the three-limb fast path (amounts below 10^27)
    assert limbs(10**27 - 1) == [999_999_999] * 3 + [0] * 6
    assert limbs(10**27) == [0, 0, 0, 1, 0, 0, 0, 0, 0]


@given(st.integers(0, MAX_AMOUNT), st.integers(0, MAX_AMOUNT))
def test_limbs_round_trip_and_keys_sort_as_numbers(a: int, b: int) -> None:
    assert from_limbs(limbs(a)) == a
    assert all(0 <= x < 10**9 for x in limbs(a))
    assert len(value_key(a)) == 78
    assert (value_key(a) < value_key(b)) == (a < b)
    # limbs add position by position, then carry: the sum is exact
    assert from_limbs([x + y for x, y in zip(limbs(a), limbs(b), strict=True)]) == a + b
