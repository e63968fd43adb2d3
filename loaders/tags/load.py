"""The tag load: files -> (detect) -> tags and problems (pure) -> batched idempotent writes.

Bitcoin tags attach to `Address` nodes, Ethereum tags (currency ETH) to `Account` nodes (by
lower-case address); either is created when the chain data does not have it yet.

What a file is, is decided by its content (`detect`), its name only breaking ties:

- a JSON array (first character `[`) -> an address list (`lists`);
- a first line that is a CSV header with an `address` column -> an address list;
- lines of one token each (addresses, or garbage to report) -> an address list;
- YAML with a top-level `tags:` line, or a `.yaml`/`.yml` file -> a TagPack (`tagpack`);
- anything else (README, LICENSE, an ActorPack) -> not a tag file: left out of a directory,
  an error when named on the command line.

Each file is parsed whole before any of it is written; its tags then go out in batches of
`batch_tags`, one write transaction each, with MERGE on the tag's id: loading again changes
nothing. Invalid entries are logged as warnings and counted; a file that does not parse stops
the load with an InputError naming it and the line (the files before it stay loaded).
"""

from __future__ import annotations

import csv
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import ManagedTransaction

from chaintrail.errors import FormatError, InputError
from cypher.runner import Graph
from cypher.schema import apply_schema
from loaders.bitcoin.network import MAINNET, Network
from loaders.tags.lists import ListDefaults, read_list
from loaders.tags.model import ETH, FileResult, Tag, UnsupportedFile
from loaders.tags.tagpack import read_tagpack

log = logging.getLogger(__name__)

WRITE_QUERY = "load/tags/tags"
ETH_WRITE_QUERY = "load/tags/eth_tags"
"""Ethereum tags (currency ETH) attach to `Account` nodes, the Ethereum model's accounts;
Bitcoin's to `Address` nodes."""
MOVE_QUERY = "load/tags/move_eth_tags"
BATCH_TAGS = 5_000
YAML_SUFFIXES = (".yaml", ".yml")
_TOKEN_LINE = re.compile(r"[^\s\-%{}\[\]&*!|>'\"#][^\s]*(?<!:)")
"""One whitespace-free token that cannot start a YAML structure or end a YAML key."""
_TAGS_KEY = re.compile(r"^tags\s*:", re.MULTILINE)


def detect(path: Path, text: str) -> str | None:
    """tagpack, json, csv or txt, or None when the content is none of them."""
    body = text.lstrip()
    if body.startswith("["):
        try:
            json.loads(body)
        except json.JSONDecodeError:
            pass  # maybe YAML flow style; decided below
        else:
            return "json"
    lines = [ln.strip() for ln in text.splitlines()]
    content = [ln for ln in lines if ln and not ln.startswith("#")]
    if not content:
        return "txt" if path.suffix.lower() not in YAML_SUFFIXES else "tagpack"
    first = content[0]
    if "address" in [c.strip().strip('"').lower() for c in first.split(",")]:
        return "csv"
    if all(_TOKEN_LINE.fullmatch(ln) for ln in content):
        return "txt"
    if path.suffix.lower() in YAML_SUFFIXES or _TAGS_KEY.search(text):
        return "tagpack"
    if path.suffix.lower() == ".txt":
        return "txt"  # a .txt list with lines that are no address: each an invalid entry
    return None


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """(file, named): the files named, and every file below a directory (sorted, hidden
    files and folders left out)."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and not any(part.startswith(".") for part in rel):
                    yield f, False
        else:
            yield p, True


def read_file(path: Path, *, source: str | None = None, category: str | None = None,
              network: Network = MAINNET) -> FileResult:
    """One file's tags, problems and skips (pure: no database). UnsupportedFile when it is not
    a tag file; FormatError when it is one that does not parse."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UnsupportedFile("not a text file (not UTF-8)", source=str(path),
                              offset=e.start) from e
    try:
        fmt = detect(path, text)
        if fmt is None:
            raise UnsupportedFile("neither a TagPack nor an address list", source=str(path))
        if fmt == "tagpack":
            return read_tagpack(path, text, network)
        return read_list(path, fmt, ListDefaults.for_path(
            path, source=source, category=category, network=network), text)
    except RecursionError:  # JSON or YAML nested deeper than the parsers go
        raise FormatError("nested too deeply to parse", source=str(path)) from None
    except csv.Error as e:  # a field above the csv module's limit: an unclosed quote, say
        raise FormatError(f"malformed CSV: {e}", source=str(path)) from e


@dataclass(slots=True)
class TagSummary:
    files: Counter[str] = field(default_factory=Counter)
    """Files read, by format."""
    files_ignored: list[str] = field(default_factory=list)
    files_failed: list[str] = field(default_factory=list)
    """Tag files that do not parse (each with its line and why): skipped, the rest loaded."""
    tags: Counter[str] = field(default_factory=Counter)
    """Valid entries loaded, by currency."""
    invalid: Counter[str] = field(default_factory=Counter)
    """Invalid entries, by reason."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Entries of a chain that is not loaded, by currency."""
    confidence_missing: int = 0
    tags_created: int = 0
    addresses_created: int = 0
    seconds: float = 0.0

    def add(self, r: FileResult) -> None:
        self.files[r.format] += 1
        self.tags.update(t.currency for t in r.tags)
        self.invalid.update(p.kind for p in r.problems)
        self.skipped.update(r.skipped)
        self.confidence_missing += r.confidence_missing

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": sum(self.files.values()),
            "files_by_format": dict(sorted(self.files.items())),
            "files_ignored": len(self.files_ignored),
            "files_failed": self.files_failed,
            "tags": sum(self.tags.values()),
            "tags_by_currency": dict(sorted(self.tags.items())),
            "invalid": sum(self.invalid.values()),
            "invalid_by_reason": dict(sorted(self.invalid.items())),
            "skipped": sum(self.skipped.values()),
            "skipped_by_currency": dict(sorted(self.skipped.items())),
            "confidence_missing": self.confidence_missing,
            "tags_created": self.tags_created,
            "addresses_created": self.addresses_created,
            "seconds": round(self.seconds, 3),
        }


class TagLoader:
    """Loads TagPacks and address lists into the graph."""

    def __init__(self, graph: Graph, *, batch_tags: int = BATCH_TAGS) -> None:
        self.graph = graph
        self.batch_tags = batch_tags
        self.summary = TagSummary()
        self._pending: list[Tag] = []

    def load(self, paths: Iterable[Path], *, source: str | None = None,
             category: str | None = None, network: Network = MAINNET) -> TagSummary:
        """Load files and directories; `source`/`category` apply to plain address lists;
        Bitcoin addresses are of `network` (a test chain's tags: testnet, regtest)."""
        start = time.monotonic()
        apply_schema(self.graph)
        self._move_eth_tags()
        try:
            for path, named in iter_files(paths):
                try:
                    result = read_file(path, source=source, category=category,
                                       network=network)
                except InputError as e:
                    if isinstance(e, UnsupportedFile) and not named:
                        log.debug("left out: %s", e)
                        self.summary.files_ignored.append(str(path))
                        continue
                    # A tag file that does not parse is skipped whole and named; the rest
                    # loads (the caller decides how to end: the CLI exits non-zero).
                    log.error("tag file skipped: %s", e)
                    self.summary.files_failed.append(str(e))
                    continue
                self._add(result)
            self._flush()
        finally:
            self.summary.seconds = time.monotonic() - start
        return self.summary

    def _add(self, r: FileResult) -> None:
        for p in r.problems:
            log.warning("invalid tag entry skipped: %s", p)
        skipped = ", ".join(f"{c} {n}" for c, n in sorted(r.skipped.items()))
        log.debug("%s (%s): %d tags, %d invalid, %d of other chains%s", r.source, r.format,
                  len(r.tags), len(r.problems), sum(r.skipped.values()),
                  f" ({skipped})" if skipped else "")
        if r.confidence_missing:
            log.warning("%s: %d tags name no confidence; stored as 'unknown'", r.source,
                        r.confidence_missing)
        self.summary.add(r)
        for tag in r.tags:
            self._pending.append(tag)
            if len(self._pending) >= self.batch_tags:
                self._flush()

    def _move_eth_tags(self) -> None:
        """Ethereum tags an earlier version attached to `Address` nodes go to accounts."""
        counters = self.graph.write(
            lambda tx: self.graph.run_write(tx, MOVE_QUERY, {}), "move Ethereum tags")
        if counters.get("relationships_deleted"):
            log.info("%d Ethereum tags moved from Address nodes to accounts",
                     counters["relationships_deleted"])

    def _flush(self) -> None:
        if not self._pending:
            return
        btc = [t.row() for t in self._pending if t.currency != ETH]
        eth = [t.row() for t in self._pending if t.currency == ETH]

        def work(tx: ManagedTransaction) -> dict[str, int]:
            total: Counter[str] = Counter()
            for query, rows in ((WRITE_QUERY, btc), (ETH_WRITE_QUERY, eth)):
                if rows:
                    total.update({k: v for k, v in self.graph.run_write(
                        tx, query, {"rows": rows}).items()
                                  if isinstance(v, int) and not isinstance(v, bool)})
            return dict(total)

        counters = self.graph.write(work, "tag load batch")
        # Each new tag gets exactly one TAGS relationship; the other new nodes are addresses
        # (Bitcoin) or accounts (Ethereum).
        created = int(counters.get("relationships_created", 0))
        self.summary.tags_created += created
        self.summary.addresses_created += int(counters.get("nodes_created", 0)) - created
        self._pending.clear()
