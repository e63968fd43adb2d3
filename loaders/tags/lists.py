"""Plain address lists: OFAC's sanctioned addresses and lists like them.

Three shapes, told apart by content (`loaders.tags.load.detect`):

- text: one address a line (blank lines and `#` comments are left out), as 0xB10C's
  `sanctioned_addresses_<ASSET>.txt`;
- CSV with a header naming an `address` column and optionally `name` (or `label`), as
  ultrasoundmoney's `data.csv` (`address,name`): the name becomes the label;
- JSON: an array of address strings, as 0xB10C's `sanctioned_addresses_<ASSET>.json`.

The chain: a file named `sanctioned_addresses_<ASSET>` is a list for that asset (`XBT` is
Bitcoin; an asset other than Bitcoin and Ethereum is skipped whole and counted, like a TagPack
entry of another chain). Any other list is read entry by entry: `0x` and 40 hex digits is
Ethereum, anything else must be a Bitcoin mainnet address, and an address of another chain
(a TRON `T...` address, say) is an invalid entry.

Defaults: a list is OFAC's when its name or path says so (`sanctioned_addresses_*`, or `ofac`
in the path): source `ofac`, category `sanctioned`, label "OFAC SDN", confidence
`authority_data`. Any other list: source its file name, no category, label its file name,
confidence `unknown`. `--source` and `--category` override the source and category.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chaintrail.errors import FormatError
from loaders.bitcoin.network import MAINNET, Network
from loaders.tags.model import (
    BTC,
    CONFIDENCE_LEVELS,
    ETH,
    LOADED_CURRENCIES,
    UNKNOWN_CONFIDENCE,
    FileResult,
    InvalidEntry,
    Tag,
    UnsupportedFile,
    check_address,
    is_eth_like,
)

OFAC_LABEL = "OFAC SDN"
OFAC_SOURCE = "ofac"
OFAC_CATEGORY = "sanctioned"
OFAC_CONFIDENCE = "authority_data"
ASSET_CURRENCY = {"XBT": BTC, "BTC": BTC, "ETH": ETH}
"""OFAC's asset codes (ISO 4217 style: XBT for Bitcoin) -> the currency they are loaded as."""

_ASSET_NAME = re.compile(r"sanctioned_addresses_([A-Za-z0-9-]+)")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True, slots=True)
class ListDefaults:
    """What every entry of a plain list gets: the list names nothing but addresses."""

    source: str
    category: str | None
    label: str
    confidence_name: str
    currency: str | None
    """The list's asset when its name gives it (BTC, ETH, or one that is skipped); None: each
    entry's own form decides."""
    network: Network = MAINNET
    """The Bitcoin network its Bitcoin addresses belong to."""

    @classmethod
    def for_path(cls, path: Path, *, source: str | None = None,
                 category: str | None = None, network: Network = MAINNET) -> ListDefaults:
        m = _ASSET_NAME.fullmatch(path.stem)
        ofac = m is not None or "ofac" in str(path).lower()
        currency = None
        if m is not None:
            asset = m.group(1).upper()
            currency = ASSET_CURRENCY.get(asset, asset)
        return cls(
            source=source or (OFAC_SOURCE if ofac else path.name),
            category=category or (OFAC_CATEGORY if ofac else None),
            label=OFAC_LABEL if ofac else path.name,
            confidence_name=OFAC_CONFIDENCE if ofac else UNKNOWN_CONFIDENCE,
            currency=currency,
            network=network,
        )


def read_list(path: Path, fmt: str, defaults: ListDefaults, text: str | None = None) -> FileResult:
    """Parse a plain list (`fmt`: txt, csv or json) into tags, problems and skips."""
    if text is None:
        text = path.read_text(encoding="utf-8-sig")
    entries = {"txt": _txt_entries, "csv": _csv_entries, "json": _json_entries}[fmt]
    return parse_list(entries(text, str(path)), str(path), fmt, defaults)


Entry = tuple[int, "str | InvalidEntry", "str | None"]
"""(line, address or why the line is no entry, label or None)."""


def parse_list(entries: Iterator[Entry], source: str, fmt: str,
               defaults: ListDefaults) -> FileResult:
    """Entries are (line, address, label or None); the defaults fill in the rest. A line that
    is no entry (a malformed row) is an invalid entry: reported with its line, skipped."""
    result = FileResult(source, fmt)
    level = CONFIDENCE_LEVELS[defaults.confidence_name]
    for line, raw, name in entries:
        if isinstance(raw, InvalidEntry):
            result.problem(line, raw)
            continue
        address = raw.strip()
        currency = defaults.currency or (ETH if is_eth_like(address) else BTC)
        if currency not in LOADED_CURRENCIES:
            result.skipped[currency] += 1
            continue
        try:
            address, script_type = check_address(address, currency, defaults.network)
        except InvalidEntry as e:
            result.problem(line, e)
            continue
        result.tags.append(Tag(
            address=address, currency=currency, script_type=script_type,
            label=(name or "").strip() or defaults.label, source=defaults.source,
            category=defaults.category, abuse=None, confidence=level,
            confidence_name=defaults.confidence_name, creator=None, title=None, lastmod=None,
            is_public=None, tagpack=source, line=line,
        ))
    return result


def _txt_entries(text: str, source: str) -> Iterator[Entry]:
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if len(s.split()) > 1:
            yield n, InvalidEntry("bad_entry", f"{s[:60]!r} is not one address"), None
        else:
            yield n, s, None


def _csv_entries(text: str, source: str) -> Iterator[Entry]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    a, name_col = 0, None
    end = 0
    for row in reader:
        start, end = end + 1, reader.line_num
        if not any(c.strip() for c in row):
            continue
        if end > start and any("\n" in c or "\r" in c for c in row):
            yield start, InvalidEntry(
                "bad_entry", f"a quoted field runs from line {start} to line {end}: an "
                "unclosed quote? (the lines in it are not read as entries)"), None
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            if "address" not in header:
                raise UnsupportedFile("a CSV list needs an `address` column", source=source,
                                      line=reader.line_num)
            a = header.index("address")
            name_col = next((header.index(k) for k in ("name", "label") if k in header), None)
            continue
        if len(row) != len(header):
            yield end, InvalidEntry(
                "bad_entry", f"{len(row)} fields where the header has {len(header)}"), None
            continue
        yield end, row[a], row[name_col] if name_col is not None else None


def _json_entries(text: str, source: str) -> Iterator[Entry]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(f"JSON does not parse: {e.msg}", source=source, line=e.lineno) from e
    if not isinstance(doc, list) or not all(isinstance(x, str) for x in doc):
        raise UnsupportedFile("a JSON list must be an array of address strings", source=source)
    # Every string literal in an array of strings is one element, in order: their lines.
    line, pos = 1, 0
    for value, m in zip(doc, _JSON_STRING.finditer(text), strict=True):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        yield line, value, None
