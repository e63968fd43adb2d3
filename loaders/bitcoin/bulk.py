"""Bulk (offline) initial load: the same rows, written as CSV for `neo4j-admin database import`.

Why a second path: the online load MERGEs every node and relationship through Cypher (about
2,500 transactions/s on 2 cores, see docs/benchmarks.md). `neo4j-admin database import` writes
the store files directly (20,000 generated transactions: 7 s, JVM start included), but only
into an empty database with the server stopped, and then indexes, deduplication and chain
placement run on the whole graph: at 200,000 transactions the total is measured no faster
than the online load. It is kept for the first load of much larger chains, where it is still
to be measured. Both produce the same graph (a test compares them).

The rows come from `rows.py` (one transform for both paths). Files are streamed: memory stays
bounded whatever the input size. Duplicates are resolved by the importer
(`--skip-duplicate-nodes`): node files are given in priority order, so a real output wins over
a prevout, and both over the placeholder written for a spent outpoint. Relationship duplicates
(a transaction in two blocks of a fork, an output both loaded and given as prevout) are removed
after the import by `load/bitcoin/dedupe_relationships`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from loaders.bitcoin.rows import Row, Rows

# (file stem, header); a property's type follows the colon, empty fields are absent properties.
NODE_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Block", "blocks", (
        "hash:ID(Block)", "prev_hash", "version:long", "merkle_root", "time:long", "bits",
        "nonce:long", "size:long", "weight:long", "tx_count:long", "input_count:long",
        "output_count:long", "output_value:long", "coinbase_value:long", "bip34_height:long",
        "height_hint:long", "network", "source")),
    ("Transaction", "transactions", (
        "txid:ID(Transaction)", "version:long", "locktime:long", "size:long", "vsize:long",
        "weight:long", "is_coinbase:boolean", "input_count:long", "output_count:long",
        "output_value:long", "wtxid", "coinbase")),
    ("Output", "outputs", (
        "id:ID(Output)", "txid", "n:long", "value:long", "script_type", "address", "pubkey",
        "script")),
    ("Output", "prevouts", (
        "id:ID(Output)", "txid", "n:long", "value:long", "script_type", "address", "pubkey",
        "script", "prevout_height:long", "from_coinbase:boolean")),
    ("Output", "spent_outpoints", ("id:ID(Output)", "txid", "n:long")),
    ("Address", "addresses", ("address:ID(Address)", "script_type")),
)
REL_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("IN_BLOCK", "in_block", (":START_ID(Transaction)", ":END_ID(Block)", "index:long")),
    ("CREATES", "creates", (":START_ID(Transaction)", ":END_ID(Output)")),
    ("LOCKED_TO", "locked_to", (":START_ID(Output)", ":END_ID(Address)")),
    ("SPENT_BY", "spent_by", (":START_ID(Output)", ":END_ID(Transaction)", "vin:long")),
)


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


@dataclass(frozen=True, slots=True)
class ImportFiles:
    """Where the CSV files are, as `neo4j-admin` arguments want them (header file first)."""

    directory: Path

    def nodes(self) -> list[tuple[str, list[Path]]]:
        return [(label, [self.directory / f"{stem}.header.csv", self.directory / f"{stem}.csv"])
                for label, stem, _ in NODE_FILES]

    def relationships(self) -> list[tuple[str, list[Path]]]:
        return [(rtype, [self.directory / f"{stem}.header.csv", self.directory / f"{stem}.csv"])
                for rtype, stem, _ in REL_FILES]


class CsvWriter:
    """Streams batches of rows into the import files."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.files = ImportFiles(directory)
        self._handles: list[IO[str]] = []
        self._w: dict[str, Any] = {}
        for _, stem, header in (*NODE_FILES, *REL_FILES):
            (directory / f"{stem}.header.csv").write_text(",".join(header) + "\n")
            f = open(directory / f"{stem}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
            self._handles.append(f)
            self._w[stem] = csv.writer(f)

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        for f in self._handles:
            f.close()
        self._handles.clear()

    def write(self, rows: Rows) -> None:
        w = self._w
        for b in rows.blocks:
            w["blocks"].writerow([_cell(b[k.split(":")[0]]) for k in NODE_FILES[0][2]])
        for p in rows.prevouts:
            w["prevouts"].writerow([*_output(p["id"], p["txid"], p),
                                    _cell(p["prevout_height"]), _cell(p["from_coinbase"])])
            self._address(p)
        for t in rows.txs:
            w["transactions"].writerow([
                t["txid"], t["version"], t["locktime"], t["size"], t["vsize"], t["weight"],
                _cell(t["is_coinbase"]), t["input_count"], t["output_count"],
                t["output_value"], _cell(t["wtxid"]), _cell(t["coinbase"])])
            if t["block_hash"] is not None:
                w["in_block"].writerow([t["txid"], t["block_hash"], t["index"]])
            for o in t["outputs"]:
                w["outputs"].writerow(_output(o["id"], t["txid"], o))
                w["creates"].writerow([t["txid"], o["id"]])
                self._address(o)
        for s in rows.spends:
            for i in s["inputs"]:
                w["spent_outpoints"].writerow([i["prev_id"], i["prev_txid"], i["prev_vout"]])
                w["spent_by"].writerow([i["prev_id"], s["txid"], i["vin"]])

    def _address(self, o: Row) -> None:
        if o["address"] is not None:
            self._w["addresses"].writerow([o["address"], o["address_type"]])
            self._w["locked_to"].writerow([o["id"], o["address"]])


def _output(oid: str, txid: str, o: Row) -> list[Any]:
    return [oid, txid, o["n"], o["value"], o["script_type"], _cell(o["address"]),
            _cell(o["pubkey"]), _cell(o["script"])]


def admin_arguments(files: ImportFiles) -> Sequence[str]:
    """The `neo4j-admin database import full` options for these files."""
    args = ["--id-type=string", "--skip-duplicate-nodes=true", "--overwrite-destination=true",
            "--skip-bad-entries-logging=true", "--bad-tolerance=-1"]
    for label, paths in files.nodes():
        args.append(f"--nodes={label}=" + ",".join(str(p) for p in paths))
    for rtype, paths in files.relationships():
        args.append(f"--relationships={rtype}=" + ",".join(str(p) for p in paths))
    return args


class BulkWriter:
    """The loader's writer for a bulk load: batches go to CSV files, not to the database.

    Same interface as `BitcoinWriter` (submit / wait / close / loaded); nothing is in the
    database until `importer` runs, so no block counts as loaded yet.
    """

    def __init__(self, directory: Path) -> None:
        self.csv = CsvWriter(directory)

    def submit(self, rows: Rows) -> None:
        self.csv.write(rows)

    def wait(self) -> None:
        pass

    def close(self) -> None:
        self.csv.close()

    def loaded(self, hashes: list[str]) -> set[str]:
        return set()
