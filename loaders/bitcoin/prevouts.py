"""Prevout files: the outputs a block's inputs spend, as JSON lines (`--prevouts`).

One object a line: `txid` (64 hex, display order), `vout`, `value` (satoshi), `script_pubkey`
(hex), and optionally `height` and `coinbase`, as Bitcoin Core's `getblock <hash> 3` reports a
`prevout`. Values are money: integers only (a float would already have lost precision), within
0..21e14 satoshi. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chaintrail.errors import FormatError
from loaders.bitcoin.model import Prevout
from loaders.bitcoin.parse import MAX_MONEY

_HEX = frozenset("0123456789abcdefABCDEF")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _int_field(obj: dict[str, Any], key: str, low: int, high: int) -> int:
    value = obj[key]
    if type(value) is not int:  # bool is an int subclass; floats are rejected on purpose
        raise ValueError(f"{key} must be an integer, not {json.dumps(value)}")
    if not low <= value <= high:
        raise ValueError(f"{key} {value} is out of range {low}..{high}")
    return value


def _hex_field(obj: dict[str, Any], key: str) -> str:
    value = obj[key]
    if not isinstance(value, str) or len(value) % 2 or not _HEX.issuperset(value):
        raise ValueError(f"{key} must be a hex string")
    return value


def _prevout(obj: Any, line: int | None = None) -> Prevout:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    txid = _hex_field(obj, "txid")
    if len(txid) != 64:
        raise ValueError(f"txid must be 64 hex characters, not {len(txid)}")
    height = obj.get("height")
    if height is not None:
        height = _int_field(obj, "height", 0, 0xFFFFFFFF)
    coinbase = obj.get("coinbase")
    if coinbase is not None and not isinstance(coinbase, bool):
        raise ValueError("coinbase must be true or false")
    return Prevout(
        txid=txid.lower(),
        vout=_int_field(obj, "vout", 0, 0xFFFFFFFF),
        value=_int_field(obj, "value", 0, MAX_MONEY),
        script_pubkey=bytes.fromhex(_hex_field(obj, "script_pubkey")),
        height=height,
        coinbase=coinbase,
        line=line,
    )


def read_prevouts(path: Path) -> Iterator[Prevout]:
    """The prevouts of a JSON-lines file; FormatError naming the file and line otherwise."""
    source = str(path)
    with Path(path).open("rb") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                prevout = _prevout(json.loads(line, parse_constant=_reject_constant), line_no)
            except KeyError as e:
                raise FormatError(
                    f"missing field {e.args[0]!r}", source=source, line=line_no
                ) from None
            except ValueError as e:  # also JSONDecodeError and UnicodeDecodeError
                raise FormatError(str(e), source=source, line=line_no) from None
            yield prevout
