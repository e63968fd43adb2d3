"""ethereum-etl exports -> model records, with the file and line of each.

A file is recognised by its content, not its name: CSV or JSON lines (the first non-blank
character is `{`), and which export it is from the CSV header or the first JSON object's
keys (or its `type`, in `ethereumetl stream` output). Files: blocks, transactions (with the
`receipt_*` columns when the stream export wrote them), receipts, logs, token_transfers,
traces, tokens, contracts. A directory holds any number of them (walked recursively); files in
it that are not exports are skipped with a log line, while a named file that is not an
export is an error.

Numbers are read exactly (Python ints; a JSON number with a fraction or exponent is an error);
addresses and hashes are checked and lower-cased. A malformed row raises FormatError naming
the file and line.
"""

from __future__ import annotations

import ast
import csv
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from chaintrail.errors import FormatError
from loaders.ethereum.amounts import MAX_AMOUNT
from loaders.ethereum.model import (
    BlockHeader,
    Log,
    Receipt,
    Token,
    TokenTransfer,
    Trace,
    Transaction,
    Withdrawal,
)

log = logging.getLogger(__name__)

csv.field_size_limit(64 * 2**20)  # contract bytecode and inputs are long fields

KINDS: Final[dict[str, frozenset[str]]] = {
    # kind -> the columns that identify it (a file may have more)
    "blocks": frozenset({"number", "hash", "parent_hash", "miner", "timestamp"}),
    "transactions": frozenset({"hash", "nonce", "transaction_index", "from_address",
                               "to_address", "value"}),
    "receipts": frozenset({"transaction_hash", "cumulative_gas_used", "gas_used", "status"}),
    "logs": frozenset({"log_index", "transaction_hash", "address", "data", "topics"}),
    "token_transfers": frozenset({"token_address", "from_address", "to_address", "value",
                                  "transaction_hash", "log_index"}),
    "traces": frozenset({"trace_type", "trace_address", "from_address", "to_address", "value"}),
    "tokens": frozenset({"address", "symbol", "name", "decimals"}),
    "contracts": frozenset({"address", "bytecode"}),
}
STREAM_TYPES: Final = {"block": "blocks", "transaction": "transactions", "log": "logs",
                       "token_transfer": "token_transfers", "trace": "traces",
                       "contract": "contracts", "token": "tokens", "receipt": "receipts"}
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_HEX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")

Record = BlockHeader | Transaction | Receipt | Log | TokenTransfer | Trace | Token | str
"""What a row becomes (a contracts row: the contract's address)."""


@dataclass(frozen=True, slots=True)
class ExportFile:
    path: Path
    kind: str
    fmt: str  # csv or json


class NotAnExport(FormatError):
    """The file is not an ethereum-etl export."""


def _kind_of(keys: set[str], type_field: Any) -> str | None:
    if isinstance(type_field, str) and type_field in STREAM_TYPES:
        return STREAM_TYPES[type_field]
    # Most specific first: token_transfers and traces share columns with transactions.
    for kind in ("token_transfers", "traces", "logs", "receipts", "transactions", "blocks",
                 "tokens", "contracts"):
        if KINDS[kind] <= keys:
            return kind
    return None


def _first_keys(path: Path) -> tuple[set[str], Any, str] | None:
    """The columns (CSV header, or the keys of the first JSON object), the stream `type` and
    the format of a file; None when it is neither (or empty)."""
    try:
        with path.open("r", encoding="utf-8", newline="") as f:
            first = ""
            for line in f:
                if line.strip():
                    first = line
                    break
    except UnicodeDecodeError:
        return None
    except OSError as e:
        raise FormatError(f"cannot read: {e}", source=str(path)) from e
    if not first:
        return None
    if first.lstrip().startswith("{"):
        try:
            obj = json.loads(first)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        return set(obj), obj.get("type"), "json"
    header = next(csv.reader([first]), [])
    return {h.strip() for h in header}, None, "csv"


def detect(path: Path) -> ExportFile | None:
    """Which export `path` is, from its first line; None when it is not one (or empty)."""
    return _export(path, _first_keys(path))


def _export(path: Path, found: tuple[set[str], Any, str] | None) -> ExportFile | None:
    if found is None:
        return None
    keys, type_field, fmt = found
    kind = _kind_of(keys, type_field)
    return ExportFile(path, kind, fmt) if kind else None


def near_miss(keys: set[str]) -> tuple[str, set[str]] | None:
    """(kind, missing column) when a file's columns are all but one of an export's
    identifying columns (at least three of them): a damaged export, not some other file."""
    for kind, columns in KINDS.items():
        missing = set(columns - keys)
        if len(missing) == 1 and len(columns) >= 4:
            return kind, missing
    return None


def closest(keys: set[str]) -> tuple[str, set[str]] | None:
    """(kind, missing columns) of the export a named file is most like, when it has at least
    two of that export's identifying columns: the user said it is an export, so say what it
    lacks."""
    best = max(KINDS.items(), key=lambda kv: (len(kv[1] & keys) / len(kv[1]), len(kv[1])))
    kind, columns = best
    return (kind, set(columns - keys)) if len(columns & keys) >= 2 else None


def iter_files(paths: list[Path]) -> Iterator[ExportFile]:
    """The exports among `paths` (directories walked, sorted); a named file must be one."""
    for p in paths:
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                found = _first_keys(f)  # read once: for the export, else a near miss
                ef = _export(f, found)
                if ef is None:
                    miss = None if found is None else near_miss(found[0])
                    if miss is not None:  # data would go missing without a word
                        raise FormatError(
                            f"looks like a {miss[0]} export but has no "
                            f"{', '.join(sorted(miss[1]))} column", source=str(f), line=1)
                    log.info("%s: %s, skipped", f, "empty" if f.stat().st_size == 0
                             else "not an ethereum-etl export")
                else:
                    yield ef
        else:
            found = _first_keys(p)
            ef = _export(p, found)
            if ef is None:
                if p.stat().st_size == 0:
                    log.info("%s: empty, skipped", p)
                    continue
                like = None if found is None else closest(found[0])
                if like is not None:
                    raise NotAnExport(f"not an ethereum-etl export: it looks like a {like[0]} "
                                      f"export but has no {', '.join(sorted(like[1]))} "
                                      f"column{'s' if len(like[1]) > 1 else ''}",
                                      source=str(p), line=1)
                raise NotAnExport("not an ethereum-etl export (blocks, transactions, receipts, "
                                  "logs, token_transfers, traces, tokens or contracts)",
                                  source=str(p), line=1)
            yield ef


# -- field readers --------------------------------------------------------------------------
class _Row:
    """One row's fields with typed, checked access; errors name the file, line and column."""

    def __init__(self, data: Mapping[str, Any], source: str, line: int) -> None:
        self.data = data
        self.source = source
        self.line = line

    @property
    def where(self) -> str:
        return f"{self.source} line {self.line}"

    def fail(self, message: str) -> FormatError:
        return FormatError(message, source=self.source, line=self.line)

    def raw(self, key: str) -> Any:
        v = self.data.get(key)
        return None if v == "" else v

    def opt_int(self, key: str) -> int | None:
        """An integer field: any Ethereum number is an unsigned 256-bit one."""
        v = self.data.get(key)
        if type(v) is str and v.isascii() and v.isdigit():  # a CSV decimal: the common case
            return self._uint256(key, int(v))
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            raise self.fail(f"{key}: {v!r} is not an integer")
        if isinstance(v, int):
            if v < 0:
                raise self.fail(f"{key}: {v} is negative")
            return self._uint256(key, v)
        if isinstance(v, Decimal):
            raise self.fail(f"{key}: {v} is not an integer (a JSON number with a fraction "
                            "or exponent cannot be an exact amount)")
        s = str(v).strip()
        try:
            n = int(s, 16) if s.startswith("0x") else int(s)
        except ValueError:
            raise self.fail(f"{key}: {v!r} is not an integer") from None
        if n < 0:
            raise self.fail(f"{key}: {v} is negative")
        return self._uint256(key, n)

    def _uint256(self, key: str, n: int) -> int:
        if n > MAX_AMOUNT:
            raise self.fail(f"{key}: {n} is above 2^256-1, the largest Ethereum number")
        return n

    def int(self, key: str) -> int:
        v = self.opt_int(key)
        if v is None:
            raise self.fail(f"{key} is missing")
        return v

    def opt_address(self, key: str) -> str | None:
        v = self.raw(key)
        if v is None:
            return None
        if not isinstance(v, str) or not _HEX_ADDRESS.fullmatch(v):
            raise self.fail(f"{key}: {v!r} is not an address (0x and 40 hex digits)")
        return v.lower()

    def address(self, key: str) -> str:
        v = self.opt_address(key)
        if v is None:
            raise self.fail(f"{key} is missing")
        return v

    def hash(self, key: str) -> str:
        v = self.opt_hash(key)
        if v is None:
            raise self.fail(f"{key} is missing")
        return v

    def opt_hash(self, key: str) -> str | None:
        v = self.raw(key)
        if v is None:
            return None
        if not isinstance(v, str) or not _HEX_HASH.fullmatch(v):
            raise self.fail(f"{key}: {v!r} is not a hash (0x and 64 hex digits)")
        return v.lower()

    def opt_str(self, key: str) -> str | None:
        v = self.raw(key)
        return None if v is None else str(v)


def _withdrawals(row: _Row) -> tuple[Withdrawal, ...]:
    v = row.raw("withdrawals")
    if v is None:
        return ()
    items: Any = v
    if isinstance(v, str):
        text = v.strip()
        try:
            # CSV: JSON objects joined by commas; JSON export: a Python repr of the list.
            items = json.loads(text if text.startswith("[") else f"[{text}]")
        except ValueError:
            try:
                items = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise row.fail("withdrawals: not a list of withdrawals") from None
    if not isinstance(items, list):
        raise row.fail("withdrawals: not a list of withdrawals")
    out = []
    for w in items:
        if not isinstance(w, dict):
            raise row.fail("withdrawals: not a list of withdrawals")
        wr = _Row(w, row.source, row.line)
        out.append(Withdrawal(index=wr.int("index"), validator_index=wr.int("validator_index"),
                              address=wr.address("address"), amount_gwei=wr.int("amount")))
    return tuple(out)


def _topics(row: _Row) -> tuple[str, ...]:
    v = row.raw("topics")
    if v is None:
        return ()
    items = v.split(",") if isinstance(v, str) else v
    if not isinstance(items, list):
        raise row.fail("topics: not a list")
    out = []
    for t in items:
        if not isinstance(t, str) or not _HEX_HASH.fullmatch(t.strip()):
            raise row.fail(f"topics: {t!r} is not a 32-byte topic")
        out.append(t.strip().lower())
    return tuple(out)


def _trace_address(row: _Row) -> tuple[int, ...]:
    v = row.raw("trace_address")
    if v is None:
        return ()
    try:
        if isinstance(v, list):
            return tuple(int(x) for x in v)
        return tuple(int(x) for x in str(v).split(","))
    except ValueError:
        raise row.fail(f"trace_address: {v!r} is not a list of integers") from None


def _status(row: _Row, key: str) -> int | None:
    s = row.opt_int(key)
    if s not in (None, 0, 1):
        raise row.fail(f"{key}: {s} is not 0 or 1")
    return s


def read_block(row: _Row) -> BlockHeader:
    return BlockHeader(
        number=row.int("number"), hash=row.hash("hash"), parent_hash=row.hash("parent_hash"),
        timestamp=row.int("timestamp"), miner=row.address("miner"),
        transaction_count=row.opt_int("transaction_count"), gas_used=row.opt_int("gas_used"),
        base_fee_per_gas=row.opt_int("base_fee_per_gas"), withdrawals=_withdrawals(row),
        where=row.where,
    )


def read_receipt(row: _Row, prefix: str = "", tx_hash: str | None = None,
                 tx_index: int | None = None, block: int | None = None) -> Receipt:
    return Receipt(
        transaction_hash=tx_hash or row.hash("transaction_hash"),
        transaction_index=tx_index if tx_hash else row.opt_int("transaction_index"),
        block_number=block if block is not None else row.int("block_number"),
        status=_status(row, f"{prefix}status"), gas_used=row.opt_int(f"{prefix}gas_used"),
        effective_gas_price=row.opt_int(f"{prefix}effective_gas_price"),
        contract_address=row.opt_address(f"{prefix}contract_address"), where=row.where,
    )


def read_transaction(row: _Row) -> Transaction:
    tx_hash, index, block = row.hash("hash"), row.int("transaction_index"), \
        row.int("block_number")
    has_receipt = any(row.raw(k) is not None for k in (
        "receipt_status", "receipt_gas_used", "receipt_effective_gas_price"))
    return Transaction(
        hash=tx_hash, block_number=block, transaction_index=index,
        from_address=row.address("from_address"), to_address=row.opt_address("to_address"),
        value=row.int("value"), nonce=row.int("nonce"), gas=row.opt_int("gas"),
        gas_price=row.opt_int("gas_price"), max_fee_per_gas=row.opt_int("max_fee_per_gas"),
        max_priority_fee_per_gas=row.opt_int("max_priority_fee_per_gas"),
        transaction_type=row.opt_int("transaction_type"), block_hash=row.opt_hash("block_hash"),
        block_timestamp=row.opt_int("block_timestamp"),
        receipt=read_receipt(row, "receipt_", tx_hash, index, block) if has_receipt else None,
        where=row.where,
    )


def read_log(row: _Row) -> Log:
    data = row.opt_str("data") or "0x"
    if not re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", data):
        raise row.fail(f"data: {data[:20]!r} is not hex")
    return Log(
        transaction_hash=row.hash("transaction_hash"),
        transaction_index=row.opt_int("transaction_index"), log_index=row.int("log_index"),
        block_number=row.int("block_number"), address=row.address("address"),
        topics=_topics(row), data=data.lower(), where=row.where,
    )


def read_token_transfer(row: _Row) -> TokenTransfer:
    return TokenTransfer(
        token_address=row.address("token_address"), from_address=row.address("from_address"),
        to_address=row.address("to_address"), value=row.int("value"),
        transaction_hash=row.hash("transaction_hash"), log_index=row.int("log_index"),
        block_number=row.int("block_number"),
        transaction_index=row.opt_int("transaction_index"), where=row.where,
    )


STATE_CHANGES: Final = frozenset({"genesis", "daofork"})
"""Trace types of balance changes outside any transaction: the genesis allocation (block 0)
and the DAO fork's irregular state change (block 1,920,000). Newer ethereum-etl versions give
them a placeholder transaction hash (`0x...0genesis`), which is not one: it is ignored."""


def read_trace(row: _Row) -> Trace:
    kind = row.opt_str("trace_type")
    if kind not in ("call", "create", "suicide", "reward", *sorted(STATE_CHANGES)):
        raise row.fail(f"trace_type: {kind!r} is not call, create, suicide, reward, genesis "
                       "or daofork")
    status = _status(row, "status")
    error = row.opt_str("error")
    call_type = row.opt_str("call_type")
    state_change = kind in STATE_CHANGES
    return Trace(
        block_number=row.int("block_number"),
        transaction_hash=None if state_change else row.opt_hash("transaction_hash"),
        transaction_index=None if state_change else row.opt_int("transaction_index"),
        trace_address=_trace_address(row),
        trace_type=kind, call_type=call_type.lower() if call_type else None,
        from_address=row.opt_address("from_address"), to_address=row.opt_address("to_address"),
        value=row.opt_int("value") or 0, error=error,
        status=status if status is not None else (0 if error else 1),
        reward_type=row.opt_str("reward_type"), where=row.where,
    )


def read_token(row: _Row) -> Token:
    decimals = row.opt_int("decimals")
    return Token(address=row.address("address"), symbol=row.opt_str("symbol"),
                 name=row.opt_str("name"),
                 decimals=decimals if decimals is not None and decimals <= 255 else None,
                 where=row.where)


def read_contract(row: _Row) -> str:
    return row.address("address")


READERS: Final[dict[str, Callable[[_Row], Record]]] = {
    "blocks": read_block, "transactions": read_transaction, "receipts": read_receipt,
    "logs": read_log, "token_transfers": read_token_transfer, "traces": read_trace,
    "tokens": read_token, "contracts": read_contract,
}


def _rows(ef: ExportFile) -> Iterator[_Row]:
    source = str(ef.path)
    line = 0
    try:
        with ef.path.open("r", encoding="utf-8", newline="") as f:
            if ef.fmt == "json":
                for line, text in enumerate(f, 1):
                    if not text.strip():
                        continue
                    try:
                        obj = json.loads(text, parse_float=Decimal)
                    except json.JSONDecodeError as e:
                        raise FormatError(f"not a JSON object ({e.msg}; truncated?)",
                                          source=source, line=line) from e
                    if not isinstance(obj, dict):
                        raise FormatError("not a JSON object", source=source, line=line)
                    yield _Row(obj, source, line)
                return
            reader = csv.reader(f)
            held: _Row | None = None  # a row is given once the next one starts (see below)
            try:
                header = [h.strip() for h in next(reader)]
                line = reader.line_num + 1
                for fields in reader:
                    if fields:
                        if len(fields) != len(header):
                            raise FormatError(f"{len(fields)} fields where the header has "
                                              f"{len(header)}", source=source, line=line)
                        if held is not None:
                            yield held
                        held = _Row(dict(zip(header, fields, strict=True)), source, line)
                    line = reader.line_num + 1
            except csv.Error as e:
                raise FormatError(f"malformed CSV: {e}", source=source, line=line) from e
            if held is not None:
                if not _ends_with_line_end(ef.path):
                    # A file cut short inside its last field still parses (a block number
                    # cut from 17000018 to 1700001); but ethereum-etl's own test exports end
                    # without a line end too, so this is said, not refused.
                    log.warning("%s line %d: the file ends without a line end after its last "
                                "row; if the file was cut short, that row is wrong", source,
                                held.line)
                yield held
    except UnicodeDecodeError as e:
        raise FormatError(f"not UTF-8 text ({e.reason})", source=source,
                          line=line + 1 if ef.fmt == "json" else line) from e


def _ends_with_line_end(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(0, 2)
        if f.tell() == 0:
            return True
        f.seek(-1, 2)
        return f.read(1) in (b"\n", b"\r")


def read_export(ef: ExportFile) -> Iterator[Record]:
    """The records of one export file, in file order."""
    reader = READERS[ef.kind]
    for row in _rows(ef):
        yield reader(row)


BLOCK_KINDS: Final = frozenset({"blocks", "transactions", "receipts", "logs", "token_transfers",
                                "traces"})
"""The exports whose rows belong to a block (tokens and contracts are metadata)."""
_JSON_BLOCK = {"blocks": re.compile(r'"number":\s*"?(\d+)'),
               "other": re.compile(r'"block_number":\s*"?(\d+)')}


def block_of(rec: Record) -> int:
    """The block number of a block-bound record."""
    if isinstance(rec, BlockHeader):
        return rec.number
    if isinstance(rec, str | Token):
        raise TypeError("tokens and contracts belong to no block")
    return rec.block_number


def sorted_by_block(ef: ExportFile) -> bool:
    """True when the file's rows never go back to a lower block number (ethereum-etl writes
    them so): a quick scan of the block column, without checking the rows (reading does)."""
    last = -1
    column = "number" if ef.kind == "blocks" else "block_number"
    with ef.path.open("r", encoding="utf-8", newline="") as f:
        if ef.fmt == "json":
            pattern = _JSON_BLOCK["blocks" if ef.kind == "blocks" else "other"]
            numbers: Iterator[str | None] = (
                m.group(1) if (m := pattern.search(line)) else None
                for line in f if line.strip())
        else:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader, [])]
            if column not in header:
                return False
            i = header.index(column)
            numbers = (row[i] if len(row) > i else None for row in reader if row)
        for n in numbers:
            if n is None or not n.isdigit():
                return False  # let the full read say what is wrong, in memory mode
            if int(n) < last:
                return False
            last = int(n)
    return True
