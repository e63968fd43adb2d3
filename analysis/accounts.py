"""What tracing, taint and exposure share on account chains (Ethereum): which chain a
question is about, which asset, which window of blocks or times, and exact amounts.

Account chains have no outputs: value moves between accounts as TRANSFER relationships
(docs/data-model.md#ethereum), each with a `seq` (block x 100000 + transaction index) that
orders it in time. The analytics are time-respecting: money that reached an account at `seq`
can only leave it at or after `seq` (the same transaction allowed). They follow one asset
('ETH' or a token contract) or every asset ('*'); amounts of different assets are never
added (a swap's rate is not on the chain).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

from chaintrail.errors import ParameterError

Chain = Literal["bitcoin", "ethereum"]
CHAINS: tuple[Chain, ...] = ("bitcoin", "ethereum")
ETH = "ETH"
ALL_ASSETS = "*"
"""The asset argument meaning every asset (the stored queries take null)."""
ZERO_ADDRESS = "0x" + "0" * 40
"""The protocol's account: issuance (genesis, rewards, withdrawals, token mints) comes from
it and burns go to it; analytics never follow money through it."""
SEQ_PER_BLOCK = 100_000
"""seq = block x SEQ_PER_BLOCK + transaction index (loaders/ethereum/rows.py)."""
MAX_SEQ = 2**62
"""A seq after every block (the open end of a window)."""
KEY_DIGITS = 78
"""Amounts are compared as 78-digit zero-padded strings (TRANSFER.value_key)."""
LIMB_BASE = 10**9
MAX_AMOUNT = 2**256 - 1

_ACCOUNT = re.compile(r"0x[0-9a-fA-F]{40}")
_TX = re.compile(r"0x[0-9a-fA-F]{64}")
_TRANSFER = re.compile(r"(0x[0-9a-fA-F]{64}):([0-9a-z,]{1,200})|"
                       r"([0-9]{1,12}):(reward|withdrawal|genesis):([0-9a-zA-Zx]{1,64})")


def infer_chain(text: str, chain: str | None = None) -> Chain:
    """The chain a question is about: `chain` when given ('bitcoin' or 'ethereum', any case),
    else Ethereum for a 0x address, transaction hash or transfer id, else Bitcoin."""
    if chain is not None:
        c = chain.lower()
        if c not in CHAINS:
            raise ParameterError(f"chain must be bitcoin or ethereum, not {chain!r}")
        return "ethereum" if c == "ethereum" else "bitcoin"
    return "ethereum" if text.lower().startswith("0x") or _TRANSFER.fullmatch(text) else "bitcoin"


def is_account(text: str) -> bool:
    return _ACCOUNT.fullmatch(text) is not None


def eth_kind(text: str, what: str = "start") -> tuple[str, str]:
    """(kind, key) of an Ethereum start or source: 'address' for a 0x account, 'txid' for a
    0x transaction hash (its transfers), 'output' for one transfer id ('txhash:fee',
    'txhash:12', 'txhash:0,1', 'block:withdrawal:n', ...). Keys in lower case (account
    addresses are stored so; a mixed-case one is checked for its EIP-55 checksum by the CLI
    and the API before it gets here)."""
    if _ACCOUNT.fullmatch(text):
        return "address", text.lower()
    if _TX.fullmatch(text):
        return "txid", text.lower()
    if m := _TRANSFER.fullmatch(text):
        if m.group(1):
            return "output", f"{m.group(1).lower()}:{m.group(2)}"
        return "output", text
    raise ParameterError(f"{what} {text!r} is neither an Ethereum account (0x and 40 hex "
                         "digits), a transaction hash (0x and 64) nor a transfer id "
                         "('txhash:n')")


def parse_asset(asset: str | None) -> str | None:
    """An asset as the stored queries take it: 'ETH' (any case; the default for None), a
    token contract address in lower case, or None for every asset ('*')."""
    if asset is None or asset.upper() == ETH:
        return ETH
    if asset == ALL_ASSETS:
        return None
    if _ACCOUNT.fullmatch(asset):
        return asset.lower()
    raise ParameterError(f"asset must be ETH, a token contract address (0x and 40 hex digits) "
                         f"or '*' for every asset, not {asset!r}")


def asset_label(asset: str | None) -> str:
    """How an answer names the asset it followed: 'ETH', a token address, or '*'."""
    return ALL_ASSETS if asset is None else asset


def value_key(value: int) -> str:
    """An amount as TRANSFER.value_key: 78 digits, zero-padded (string order = numeric)."""
    if not 0 <= value <= MAX_AMOUNT:
        raise ParameterError(f"an amount must be between 0 and 2^256 - 1, not {value}")
    return str(value).zfill(KEY_DIGITS)


def min_key(min_value: int, asset: str | None) -> str | None:
    """The min_key parameter for a min_value (None: no threshold). A threshold compares
    amounts of one asset: with every asset it has no unit, so it is refused."""
    if min_value < 0:
        raise ParameterError(f"min_value must not be negative, not {min_value}")
    if not min_value:
        return None
    if asset is None:
        raise ParameterError("min_value needs one asset (ETH or a token): amounts of "
                             "different assets have no common unit")
    return value_key(min_value)


def from_limbs(sums: Sequence[int | None]) -> int:
    """The exact integer of per-position limb sums (limb i weighs 10^(9 i); a sum may exceed
    the base: the stored queries add limbs position by position and Python carries)."""
    total = 0
    for s in reversed(sums):
        total = total * LIMB_BASE + (s or 0)
    return total


@dataclass(frozen=True, slots=True)
class Window:
    """The part of an account chain an analytic sees: transfers in blocks from_block..to_block
    and at times since..until (unix seconds), each bound inclusive and optional. A trace
    starting from an account begins at the window's start (forward) or end (backward)."""

    from_block: int | None = None
    to_block: int | None = None
    since: int | None = None
    until: int | None = None

    def __post_init__(self) -> None:
        for name in WINDOW_FIELDS:
            v = getattr(self, name)
            if v is not None and not 0 <= v < MAX_SEQ // SEQ_PER_BLOCK:
                raise ParameterError(f"{name} must be a block number or unix time, not {v}")
        if None not in (self.from_block, self.to_block) and \
                self.from_block > self.to_block:  # type: ignore[operator]
            raise ParameterError(f"from_block {self.from_block} is after to_block "
                                 f"{self.to_block}")
        if None not in (self.since, self.until) and self.since > self.until:  # type: ignore[operator]
            raise ParameterError(f"since {self.since} is after until {self.until}")

    @property
    def min_seq(self) -> int | None:
        return None if self.from_block is None else self.from_block * SEQ_PER_BLOCK

    @property
    def max_seq(self) -> int | None:
        return None if self.to_block is None else (self.to_block + 1) * SEQ_PER_BLOCK - 1

    @property
    def empty(self) -> bool:
        return self == Window()

    def params(self) -> dict[str, int | None]:
        """The window as the stored queries take it."""
        return {"min_seq": self.min_seq, "max_seq": self.max_seq, "since": self.since,
                "until": self.until}

    def as_dict(self) -> dict[str, int]:
        return {n: v for n in WINDOW_FIELDS if (v := getattr(self, n)) is not None}


WINDOW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Window))
"""The bounds of a window by name: the one list that the API's inputs and types and the saved
trace requests take them from."""
