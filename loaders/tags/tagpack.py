"""GraphSense TagPacks: YAML with header fields inherited by every entry of its `tags:` list.

    title: ...            creator: ...        description: ...     lastmod: 2024-02-26
    source: https://...   label: ...          category: exchange   abuse: ransomware
    confidence: forensic  is_public: true     (currency: BTC)
    tags:
    - address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN
      currency: BTC
      label: Internet Archive      # any header field may be overridden per entry

An entry needs an address, a currency, a label and a source (after inheritance). Entries of a
currency other than BTC and ETH are skipped and counted by currency (another chain, not an
error). An invalid entry (an address that does not check, an unknown confidence name, a missing
field) is reported with its line and skipped; the rest of the file loads. Whitespace around a
value is not part of it (`address: '0x4736...9d '` happens). A file whose YAML does
not parse is a FormatError naming the line, and nothing of it is loaded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from chaintrail.errors import FormatError
from loaders.bitcoin.network import MAINNET, Network
from loaders.tags.model import (
    LOADED_CURRENCIES,
    FileResult,
    InvalidEntry,
    Tag,
    UnsupportedFile,
    check_address,
    confidence_level,
)

HEADER_FIELDS = ("title", "creator", "description", "lastmod", "source", "label", "category",
                 "abuse", "confidence", "is_public")
"""The header fields the format defines; any other header key (currency, actor, ...) is
inherited the same way."""

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (about 10x faster), else the Python one."""


def read_tagpack(path: Path, text: str | None = None,
                 net: Network = MAINNET) -> FileResult:
    """Parse a TagPack file (its text, when already read) into tags, problems and skips;
    its BTC addresses are of `net`."""
    if text is None:
        text = path.read_text(encoding="utf-8-sig")
    return parse_tagpack(text, str(path), net)


def parse_tagpack(text: str, source: str, net: Network = MAINNET) -> FileResult:
    doc, lines = _load(text, source)
    if not isinstance(doc, dict) or not isinstance(doc.get("tags"), list):
        raise UnsupportedFile("not a TagPack (no `tags:` list at the top level)", source=source)
    header = {k: v for k, v in doc.items() if k != "tags"}
    result = FileResult(source, "tagpack")
    for entry, line in zip(doc["tags"], lines, strict=True):
        try:
            _entry(result, header, entry, line, net)
        except InvalidEntry as e:
            result.problem(line, e)
    return result


def _load(text: str, source: str) -> tuple[Any, list[int]]:
    """The document, and the line (1-based) of each entry of its top-level `tags:` list."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        doc = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise FormatError(f"YAML does not parse: {e.problem or e}",
                          source=source, line=mark.line + 1 if mark else None) from e
    except yaml.YAMLError as e:
        raise FormatError(f"YAML does not parse: {e}", source=source) from e
    finally:
        loader.dispose()
    lines: list[int] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "tags" and isinstance(value, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value.value]
    return doc, lines


def _entry(result: FileResult, header: dict[Any, Any], entry: Any, line: int,
           net: Network = MAINNET) -> None:
    if not isinstance(entry, dict):
        raise InvalidEntry("bad_entry", "a tag entry must be a mapping (address: ..., ...)")
    e = {**header, **entry}
    currency = _text(e, "currency")
    if currency is None:
        raise InvalidEntry("missing_field", "no currency (in the entry or the header)")
    currency = currency.upper()
    if currency not in LOADED_CURRENCIES:
        result.skipped[currency] += 1
        return
    raw = e.get("address")
    if raw is None:
        raise InvalidEntry("missing_field", "no address")
    if not isinstance(raw, str):
        raise InvalidEntry("bad_entry", f"address {raw!r} is not a string (quote it)")
    address, script_type = check_address(raw.strip(), currency, net)
    label = _text(e, "label")
    if not label:
        raise InvalidEntry("missing_field", "no label (in the entry or the header)")
    src = _text(e, "source")
    if not src:
        raise InvalidEntry("missing_field", "no source (in the entry or the header)")
    conf = e.get("confidence")
    if conf is not None and not isinstance(conf, str):
        raise InvalidEntry("unknown_confidence", f"confidence {conf!r} is not a level name")
    confidence_name, confidence = confidence_level(conf)
    if conf is None:
        result.confidence_missing += 1
    is_public = e.get("is_public")
    if is_public is not None and not isinstance(is_public, bool):
        raise InvalidEntry("bad_entry", f"is_public {is_public!r} is not true or false")
    result.tags.append(Tag(
        address=address, currency=currency, script_type=script_type, label=label, source=src,
        category=_text(e, "category"), abuse=_text(e, "abuse"), confidence=confidence,
        confidence_name=confidence_name, creator=_text(e, "creator"), title=_text(e, "title"),
        lastmod=_text(e, "lastmod"), is_public=is_public, tagpack=result.source, line=line,
    ))


def _text(e: dict[Any, Any], key: str) -> str | None:
    """A scalar field as text (YAML reads `lastmod: 2024-02-26` as a date, `label: 1337` as an
    int); None when absent or empty."""
    v = e.get(key)
    if v is None:
        return None
    if isinstance(v, dt.date):  # datetime is a date too
        return v.isoformat()
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, str | int | float):
        s = str(v).strip()
        return s or None
    raise InvalidEntry("bad_entry", f"{key} must be a single value, not {type(v).__name__}")
