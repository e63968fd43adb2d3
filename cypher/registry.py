"""The stored-query registry: `cypher/**/*.cypher`, one query per file, named by its path.

Why files and not strings in Python: analysts read, review and run the very same text in
cypher-shell or Neo4j Browser, and a defence expert can examine exactly what ran. Each file
starts with a header of `//` comment lines:

    // @description One block by hash or by main-chain height.
    // @mode read
    // @param hash STRING = null  block hash, hex in display order
    // @param height INTEGER = null  height in the main chain
    // @columns hash, height, time, tx_count
    // @bounds one block; no traversal beyond it

`@param NAME TYPE [= DEFAULT]  meaning`: a parameter without a default is required; DEFAULT is a
JSON literal (null, 10, "x", true, []). Types: STRING, INTEGER, FLOAT, BOOLEAN, ADDRESS, TXID,
HASH, CHAIN, LIST<STRING>, LIST<ADDRESS>, LIST<INTEGER>, LIST<MAP>, MAP. ADDRESS (and each
LIST<ADDRESS> item) is taken as the graph stores it (`normal_address`: an upper-case bech32
address in lower case; a mixed-case one refused). TXID and HASH are 64 hex digits,
lower-cased (Ethereum's with their `0x`); CHAIN is `bitcoin` or `ethereum`. `@columns` lists
the returned columns (write queries may say `-`). An INTEGER whose meaning ends in
`(LOW-HIGH)` is refused outside that range. Loading fails at once on a duplicate name,
a missing header field, a parameter used in the body but not declared, or one declared but
never used.

To run a file by hand, set every parameter first (the defaults included), e.g. in cypher-shell
`:param hash => '000000...'` and `:param height => null`, then paste the body; `usage()` prints
those lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

from chaintrail.errors import (
    AddressError,
    LimitError,
    ParameterError,
    RegistryError,
    UnknownQuery,
)

Mode = Literal["read", "write"]

SCALAR_TYPES = frozenset(
    {"STRING", "INTEGER", "FLOAT", "BOOLEAN", "ADDRESS", "TXID", "HASH", "CHAIN", "MAP", "ANY"}
)
CHAINS = ("bitcoin", "ethereum")
"""The values of a CHAIN parameter (lower-cased when bound)."""
REQUIRED_FIELDS = ("description", "mode", "columns")
_HEADER_RE = re.compile(r"^//\s*@(\w+)\s*(.*)$")
_PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[A-Z]+(?:<[A-Z]+>)?)"
    r"(?:\s*=\s*(?P<default>\S+))?(?:\s+(?P<doc>.*))?$"
)
_USED_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_OR_COMMENT_RE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*")
_NO_DEFAULT = object()
_RANGE_RE = re.compile(r"\((-?\d+)-(\d+)\)$")
"""An INTEGER parameter's meaning that ends in `(1-8)` gives its range."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    doc: str
    default: Any = _NO_DEFAULT
    low: int | None = None
    high: int | None = None
    """An INTEGER's range, from a meaning that ends in `(LOW-HIGH)`: checked on every bind,
    so `chaintrail query` refuses what the commands built on the query refuse."""

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT


@dataclass(frozen=True, slots=True)
class StoredQuery:
    name: str
    description: str
    mode: Mode
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str
    """The whole file, header included (Neo4j ignores `//` comments)."""
    bounds: str = ""
    path: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def bind(self, given: Mapping[str, Any], *, require: bool = True) -> dict[str, Any]:
        """Parameters for a run: unknown names refused, defaults filled, required ones checked
        (`require=False`, for `usage()`: a required one not given is left out)."""
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise ParameterError(f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}")
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = check_type(self.name, p, given[p.name])
            elif p.required:
                if require:
                    raise ParameterError(
                        f"{self.name}: parameter {p.name!r} ({p.type}) is required")
            else:
                out[p.name] = p.default
        return out

    def usage(self, values: Mapping[str, Any] | None = None) -> str:
        """The `:param` lines an analyst types in cypher-shell or Browser before the body:
        the given values, else the defaults, else a placeholder for a required one."""
        lines = []
        for p in self.params:
            if values is not None and p.name in values:
                value = cypher_literal(values[p.name])
            elif p.required:
                value = "<" + p.type.lower() + ">"
            else:
                value = cypher_literal(p.default)
            lines.append(f":param {p.name} => {value}")
        return "\n".join(lines)


def cypher_literal(v: Any) -> str:
    """A parameter value as a Cypher literal, for `:param` lines an analyst pastes."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(cypher_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"`{k}`: {cypher_literal(x)}" for k, x in v.items()) + "}"
    return json.dumps(v)


_BECH32_PREFIXES = ("bc1", "tb1", "bcrt1")
"""Bitcoin's segwit address prefixes (mainnet, testnet and signet, regtest)."""


def normal_address(value: str) -> str:
    """A Bitcoin address as the graph stores it. BIP173 lets a bech32 address be written all
    in upper case (QR codes do): it is the same address, stored in lower case. Everything that
    takes an address from a user goes through here (stored queries' ADDRESS parameters, the
    starts, sources, targets and ends of traces, taint, exposure and paths)."""
    if not value.lower().startswith(_BECH32_PREFIXES):
        return value
    if value.isupper():
        return value.lower()
    if not value.islower():  # (its prefix has letters: neither all upper nor all lower)
        raise AddressError(f"{value!r}: a bech32 address is all lower case or all upper case, "
                           "never mixed (BIP173)")
    return value


def check_type(query: str, p: Param, value: Any) -> Any:
    """Check a value against a declared type (None is always allowed: Cypher null)."""
    if value is None:
        return None
    t = p.type
    ok: bool
    if t in ("STRING", "ADDRESS", "TXID", "HASH", "CHAIN"):
        ok = isinstance(value, str)
    elif t == "INTEGER":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif t == "FLOAT":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif t == "BOOLEAN":
        ok = isinstance(value, bool)
    elif t == "MAP":
        ok = isinstance(value, dict)
    elif t.startswith("LIST<"):
        ok = isinstance(value, list | tuple)
        value = list(value) if ok else value
    else:
        ok = True
    if not ok:
        raise ParameterError(
            f"{query}: parameter {p.name!r} must be {p.type}, got {type(value).__name__}"
        )
    if t in ("TXID", "HASH") and not re.fullmatch(r"(?:0[xX])?[0-9a-fA-F]{64}", value):
        raise ParameterError(f"{query}: parameter {p.name!r} must be 64 hex digits (with 0x "
                             f"on Ethereum), got {value!r}")
    if t == "INTEGER" and not -(2**63) <= value < 2**63:
        raise ParameterError(f"{query}: parameter {p.name!r} must fit in 64 bits, got {value}")
    if t == "INTEGER" and p.low is not None and p.high is not None \
            and not p.low <= value <= p.high:
        raise LimitError(f"{query}: parameter {p.name!r} must be from {p.low} to {p.high}, "
                         f"got {value}")
    try:
        if t == "ADDRESS":
            return normal_address(value)
        if t == "LIST<ADDRESS>":
            return [normal_address(v) if isinstance(v, str) else v for v in value]
    except AddressError as e:
        raise ParameterError(f"{query}: parameter {p.name!r}: {e}") from e
    if t == "CHAIN" and value.lower() not in CHAINS:
        raise ParameterError(f"{query}: parameter {p.name!r} must be one of "
                             f"{', '.join(CHAINS)}, got {value!r}")
    return value.lower() if t in ("TXID", "HASH", "CHAIN") else value


def parse_query_file(name: str, text: str, path: str = "") -> StoredQuery:
    """Parse one `.cypher` file into a StoredQuery, checking its header against its body."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    body_lines: list[str] = []
    in_header = True
    last_key: str | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _HEADER_RE.match(line.strip()) if in_header else None
        if m:
            key, value = m.group(1), m.group(2).strip()
            last_key = key
            if key == "param":
                params.append(_parse_param(name, path, lineno, value))
            elif key in fields:
                raise RegistryError(f"{path or name}:{lineno}: @{key} given twice")
            else:
                fields[key] = value
            continue
        if in_header and line.strip().startswith("//"):
            # An indented comment line continues the previous field (long descriptions).
            more = line.strip()[2:].strip()
            if more and last_key in fields and last_key is not None:
                fields[last_key] += " " + more
            continue
        if in_header and not line.strip():
            continue
        in_header = False
        body_lines.append(line)
    for f in REQUIRED_FIELDS:
        if not fields.get(f):
            raise RegistryError(f"{path or name}: header field @{f} is missing")
    mode = fields["mode"]
    if mode not in ("read", "write"):
        raise RegistryError(f"{path or name}: @mode must be read or write, not {mode!r}")
    body = "\n".join(body_lines)
    if not body.strip():
        raise RegistryError(f"{path or name}: no query body")
    used = set(_USED_PARAM_RE.findall(_STRING_OR_COMMENT_RE.sub("", body)))
    declared = [p.name for p in params]
    dupes = {n for n in declared if declared.count(n) > 1}
    if dupes:
        raise RegistryError(f"{path or name}: parameter(s) declared twice: {sorted(dupes)}")
    if undeclared := used - set(declared):
        raise RegistryError(f"{path or name}: parameter(s) used but not declared: "
                            f"{', '.join(sorted(undeclared))}")
    if unused := set(declared) - used:
        raise RegistryError(f"{path or name}: parameter(s) declared but not used: "
                            f"{', '.join(sorted(unused))}")
    cols = fields["columns"].strip()
    columns = () if cols == "-" else tuple(c.strip() for c in cols.split(",") if c.strip())
    return StoredQuery(
        name=name,
        description=fields["description"],
        mode=mode,  # type: ignore[arg-type]
        params=tuple(params),
        columns=columns,
        text=text,
        bounds=fields.get("bounds", ""),
        path=path,
    )


def _parse_param(name: str, path: str, lineno: int, value: str) -> Param:
    m = _PARAM_RE.match(value)
    if not m:
        raise RegistryError(f"{path or name}:{lineno}: malformed @param {value!r} "
                            "(want: NAME TYPE [= DEFAULT] meaning)")
    ptype = m.group("type")
    base = ptype[5:-1] if ptype.startswith("LIST<") else ptype
    if base not in SCALAR_TYPES:
        raise RegistryError(f"{path or name}:{lineno}: unknown parameter type {ptype!r}")
    default: Any = _NO_DEFAULT
    if m.group("default") is not None:
        try:
            default = json.loads(m.group("default"))
        except json.JSONDecodeError as e:
            raise RegistryError(
                f"{path or name}:{lineno}: default of {m.group('name')} is not a JSON literal"
            ) from e
    doc = (m.group("doc") or "").strip()
    low = high = None
    if ptype == "INTEGER" and (r := _RANGE_RE.search(doc)):
        low, high = int(r.group(1)), int(r.group(2))
    return Param(m.group("name"), ptype, doc, default, low, high)


class Registry:
    """All stored queries, by name. Built once per process and passed down."""

    def __init__(self, queries: Mapping[str, StoredQuery]) -> None:
        self._queries = dict(queries)

    @classmethod
    def load(cls, root: Traversable | Path | None = None) -> Registry:
        """Load every `.cypher` file below `root` (default: this package's own files)."""
        base: Traversable = root if root is not None else resources.files("cypher")
        found: dict[str, StoredQuery] = {}
        for rel, entry in sorted(_walk(base, ""), key=lambda x: x[0]):
            qname = rel.removesuffix(".cypher")
            # Names are compared case-insensitively: `trace/Paths` and `trace/paths` would be one
            # file on a case-insensitive filesystem and are too easy to confuse by hand.
            clash = next((n for n in found if n.lower() == qname.lower()), None)
            if clash is not None:
                raise RegistryError(
                    f"duplicate stored query name {qname!r} (clashes with {clash!r})")
            found[qname] = parse_query_file(qname, entry.read_text(encoding="utf-8"), rel)
        return cls(found)

    def __getitem__(self, name: str) -> StoredQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQuery(
                f"no stored query {name!r}; `chaintrail query --list` shows the catalogue"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def __iter__(self) -> Iterator[StoredQuery]:
        return iter(sorted(self._queries.values(), key=lambda q: q.name))

    def __len__(self) -> int:
        return len(self._queries)

    def names(self, prefix: str = "") -> list[str]:
        return sorted(n for n in self._queries if n.startswith(prefix))


def _walk(base: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in base.iterdir():
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            if not entry.name.startswith(("_", ".")):
                yield from _walk(entry, rel + "/")
        elif entry.name.endswith(".cypher"):
            yield rel, entry
