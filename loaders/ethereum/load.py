"""The Ethereum load: sources -> blocks of records -> rows -> one write transaction per batch.

Like the Bitcoin load, a batch of whole blocks is written in one transaction with MERGE on
unique keys (accounts by address, blocks by number, transactions by hash, transfers by id),
so a batch is all in or not at all and writing it again changes nothing. Each `EthBlock`
records the kinds of source it was written from (`parts`); a later run skips a block whose
stored parts cover what it brings for it, and writes (adds to) one for which it brings more,
e.g. traces loaded after transactions and receipts. A run killed at any point and run again
ends with the same graph.

Files are grouped by block (read side by side when they run in block order, as ethereum-etl
writes them, else read whole first), so the order of files and rows within a run does not
matter; every row is checked while reading, and every block is transformed (and checked)
before its batch is handed to the writer: nothing of a bad block is written, and the blocks
before it in the run are committed.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Protocol

from neo4j import ManagedTransaction

from chaintrail.errors import FormatError, InputError
from cypher.runner import Graph
from cypher.schema import apply_schema
from loaders.batching import BatchWriter, chunks
from loaders.ethereum.address import ZERO_ADDRESS
from loaders.ethereum.amounts import amount_fields
from loaders.ethereum.exports import (
    BLOCK_KINDS,
    STATE_CHANGES,
    ExportFile,
    block_of,
    iter_files,
    read_export,
    sorted_by_block,
)
from loaders.ethereum.model import BlockData, Log, Token, TokenTransfer, Trace
from loaders.ethereum.rows import (
    ETH,
    Row,
    Rows,
    block_rows,
    fee_fields,
    genesis_id,
    rows_beside_stored_logs,
)
from loaders.progress import LoadProgress, LogProgress

log = logging.getLogger(__name__)

NOTES: Final = (
    ("erc721_skipped", logging.INFO,
     "ERC-721 Transfer logs skipped (four topics: a token id, not an amount)"),
    ("erc20_without_logs", logging.WARNING,
     "token transfers loaded without their logs: an ERC-721 transfer (a token id, not an "
     "amount) looks the same in a token_transfers export and counts as ERC-20 until the logs "
     "of its block are loaded, which remove it"),
    ("internal_unknown", logging.WARNING,
     "internal transfers not loaded: the trace does not say the amount or the parties "
     "(a self-destruct in an old geth call trace, or in struct logs without its balance)"),
    ("native_unknown", logging.WARNING,
     "transaction values not loaded: traces loaded without the transactions export whose "
     "top-level call does not say the amount or the parties; load the transactions export"),
    ("fee_without_block", logging.WARNING,
     "fees without their block (no blocks export yet): the miner and the base fee are "
     "unknown; the fee is booked when a later run loads the block's blocks export"),
    ("erc20_without_tx_index", logging.WARNING,
     "token transfers without their transaction's index (no transactions, receipts or logs "
     "of their block in this run): they take it from their transaction when it is in the "
     "graph, else they are ordered at the start of the block until a later run brings it"),
    ("trace_without_tx", logging.WARNING,
     "traces naming a transaction index that no transaction of the run has: skipped"),
    ("status_unknown", logging.WARNING,
     "transactions whose success is unknown (no receipt, no receipt columns, no trace): "
     "their value counts as moved, which a failed one did not; load their receipts (or "
     "traces) for exact balances"),
    ("fee_unknown", logging.WARNING,
     "transactions without their gas used or price (no receipt loaded yet): their fee is not "
     "booked until a later run loads their receipts"),
    ("genesis_unknown", logging.WARNING,
     "accounts whose genesis allocation is unknown: the node did not answer eth_getBalance "
     "at block 0 (not an archive node?); checked again by a later run"),
)
GENESIS_CHUNK = 500
"""Accounts per eth_getBalance batch and per genesis write."""


class GenesisSource(Protocol):
    """What the node says about block 0's state (loaders.ethereum.rpc.NodeGenesis)."""

    def node_accounts(self) -> list[str]:
        """Accounts the node manages (a dev node's funded ones); [] when it has none."""
        ...

    def balances(self, addresses: Sequence[str]) -> dict[str, int | None]:
        """Each account's balance at block 0; None where the node cannot tell."""
        ...
STATEMENT_ROWS = 5_000
"""Rows per UNWIND statement."""
BATCH_TRANSFERS = 10_000
"""Transfers (with their transactions and accounts) per write transaction."""


@dataclass(slots=True)
class EthLoadSummary:
    blocks_loaded: int = 0
    blocks_skipped: int = 0
    txs: int = 0
    transfers: int = 0
    tokens: int = 0
    trace_method: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def transfer_rate(self) -> float:
        return self.transfers / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "blocks_loaded": self.blocks_loaded, "blocks_skipped": self.blocks_skipped,
            "txs": self.txs, "transfers": self.transfers, "tokens": self.tokens,
            "trace_method": self.trace_method, "counts": dict(sorted(self.counts.items())),
            "seconds": round(self.seconds, 3),
            "transfers_per_s": round(self.transfer_rate, 1),
        }



KNOWN_ACCOUNTS = 200_000
"""Accounts a writer remembers as committed (about 40 MB): an active account appears in
batch after batch, and MERGE-ing it again each time was a sixth of the write."""


class KnownAccounts:
    """The accounts committed by earlier batches of this run, with their kind, most recently
    used kept (a bounded LRU: memory stays flat whatever the chain's size). An account is
    skipped by the next batch's `load/ethereum/accounts` only when known with the same kind
    (or the batch does not know its kind); anything else is MERGEd as before, so forgetting
    costs speed, never correctness."""

    def __init__(self, limit: int = KNOWN_ACCOUNTS) -> None:
        self.limit = limit
        self._kinds: OrderedDict[str, str | None] = OrderedDict()
        self._lock = threading.Lock()

    def unknown(self, rows: list[Row]) -> list[Row]:
        with self._lock:
            out = []
            for r in rows:
                a = r["address"]
                if a in self._kinds and (r["kind"] is None or self._kinds[a] == r["kind"]):
                    self._kinds.move_to_end(a)
                else:
                    out.append(r)
            return out

    def committed(self, rows: list[Row]) -> None:
        with self._lock:
            for r in rows:
                a, kind = r["address"], r["kind"]
                if kind is None and a in self._kinds:
                    kind = self._kinds[a]
                self._kinds[a] = kind
                self._kinds.move_to_end(a)
            while len(self._kinds) > self.limit:
                self._kinds.popitem(last=False)


class EthereumWriter(BatchWriter[Rows]):
    """Writes Ethereum batches (whole blocks), each in one transaction."""

    thread_name = "ethereum-writer"

    def __init__(self, graph: Graph, writers: int = 1) -> None:
        super().__init__(graph, writers)
        self.known = KnownAccounts()
        self.counts: Counter[str] = Counter()
        """What the writes found (fees booked or still open), for the load's summary."""
        self._lock = threading.Lock()

    def write(self, rows: Rows) -> None:
        accounts = self.known.unknown(rows.account_rows())
        statements: list[tuple[str, list[Any]]] = [
            ("load/ethereum/accounts", accounts),
            ("load/ethereum/blocks", rows.blocks),
            ("load/ethereum/transactions", rows.transactions),
            ("load/ethereum/new_transactions", rows.new_transactions),
            ("load/ethereum/unmove_failed", [*rows.failed, *rows.not_erc20]),
            ("load/ethereum/transfers", rows.transfers),
            ("load/ethereum/new_transfers", rows.new_transfers),
            ("load/ethereum/unmove_stored_failed", rows.unknown_status),
            ("load/ethereum/untimed_transfers", rows.untimed_rows()),
            ("load/ethereum/unindexed_transfers", rows.unindexed_rows()),
        ]
        open_blocks = sorted(rows.fee_open)

        def work(tx: ManagedTransaction) -> Counter[str]:
            for query, items in statements:
                for chunk in chunks(items, STATEMENT_ROWS):
                    self.graph.run_write(tx, query, {"rows": list(chunk)})
            return self.book_fees(tx, open_blocks)

        counts = self.graph.write(work, "ethereum load batch")
        self.known.committed(accounts)
        with self._lock:
            self.counts.update(counts)

    def book_fees(self, tx: ManagedTransaction, numbers: list[int]) -> Counter[str]:
        """Book the fees the batch's rows could not (a part was loaded in another run) from
        what the graph now holds, in the batch's own transaction; count those still open."""
        counts: Counter[str] = Counter()
        rows: list[Row] = []
        for chunk in chunks(numbers, STATEMENT_ROWS):
            for t in self.graph.run_read(tx, "load/ethereum/unbooked_fees",
                                         {"numbers": list(chunk)}):
                if t["sender"] is None:
                    continue  # not a transaction the transactions export has given yet
                if t["gas_used"] is None or t["price"] is None:
                    counts["fee_unknown"] += 1
                elif t["miner"] is None:
                    counts["fee_without_block"] += 1
                else:
                    fee = t["gas_used"] * int(t["price"])
                    row = fee_fields(t["hash"], fee, t["gas_used"], t["miner"], t["base_fee"],
                                     t["blob_fee"], f"transaction {t['hash']} in the graph")
                    rows.append({"hash": t["hash"], "fee": str(fee), **row})
                    if row["fee_paid"] != "0":
                        counts["fee"] += 1
        for part in chunks(rows, STATEMENT_ROWS):
            self.graph.run_write(tx, "load/ethereum/book_fees", {"rows": list(part)})
        return counts

    def write_tokens(self, tokens: list[Row]) -> None:
        def work(tx: ManagedTransaction) -> None:
            for chunk in chunks(tokens, STATEMENT_ROWS):
                self.graph.run_write(tx, "load/ethereum/tokens", {"rows": list(chunk)})

        self.graph.write(work, "ethereum tokens")

    def write_genesis(self, rows: list[Row]) -> None:
        """Accounts checked at block 0, with their allocation (when above zero)."""
        def work(tx: ManagedTransaction) -> None:
            self.graph.run_write(tx, "load/ethereum/genesis",
                                 {"rows": rows, "zero": ZERO_ADDRESS})

        self.graph.write(work, "ethereum genesis allocations")

    def genesis_unchecked(self, addresses: list[str] | None) -> list[str]:
        rows = self.graph.read("load/ethereum/genesis_unchecked", {"addresses": addresses})
        return [r["address"] for r in rows]

    def loaded(self, numbers: list[int]) -> dict[int, tuple[str | None, list[str]]]:
        rows = self.graph.read("load/ethereum/loaded_blocks", {"numbers": numbers})
        return {r["number"]: (r["hash"], r["parts"] or []) for r in rows}


# -- grouping records by block --------------------------------------------------------------
class Collector:
    """Records from any number of files, grouped by block number.

    The same record read twice (the same export in CSV and JSON, say) is kept once; two
    different records for the same key are an error naming both places.
    """

    def __init__(self) -> None:
        self.blocks: dict[int, BlockData] = {}
        self.tokens: dict[str, Token] = {}
        self.contracts: set[str] = set()
        self._logs: dict[tuple[str, int], Log] = {}
        self._transfers: dict[tuple[str, int], TokenTransfer] = {}
        self._traces: dict[tuple[Any, ...], Trace] = {}
        self._rewards: dict[tuple[str, int], int] = {}

    def block(self, number: int, part: str) -> BlockData:
        b = self.blocks.get(number)
        if b is None:
            b = self.blocks[number] = BlockData(number)
        b.parts.add(part)
        return b

    @staticmethod
    def _same(a: Any, b: Any) -> bool:
        return bool(replace(a, where="") == replace(b, where=""))

    def _keep(self, store: dict[Any, Any], key: Any, rec: Any) -> bool:
        old = store.get(key)
        if old is None:
            store[key] = rec
            return True
        if not self._same(old, rec):
            raise FormatError(f"conflicts with the row at {old.where} for the same "
                              f"{type(rec).__name__.lower()}", source=rec.where)
        return False

    def add(self, kind: str, rec: Any) -> None:
        if kind == "blocks":
            b = self.block(rec.number, kind)
            if b.header is not None and not self._same(b.header, rec):
                raise FormatError(f"conflicts with the block row at {b.header.where}",
                                  source=rec.where)
            b.header = b.header or rec
        elif kind == "transactions":
            store = self.block(rec.block_number, kind).transactions
            old = store.get(rec.hash)
            if (old is not None and (old.receipt is None) != (rec.receipt is None)
                    and self._same(replace(old, receipt=None), replace(rec, receipt=None))):
                # the same transaction, one row with the receipt columns (a stream export)
                # and one without (export_blocks): the receipt adds to it, no conflict
                store[rec.hash] = old if old.receipt is not None else rec
                return
            self._keep(store, rec.hash, rec)
        elif kind == "receipts":
            self._keep(self.block(rec.block_number, kind).receipts, rec.transaction_hash, rec)
        elif kind == "logs":
            if self._keep(self._logs, (rec.transaction_hash, rec.log_index), rec):
                self.block(rec.block_number, kind).logs.append(rec)
        elif kind == "token_transfers":
            if self._keep(self._transfers, (rec.transaction_hash, rec.log_index), rec):
                self.block(rec.block_number, kind).token_transfers.append(rec)
        elif kind == "traces":
            # geth-derived trace exports name the transaction by its index only.
            key: tuple[Any, ...] = (rec.block_number, rec.transaction_hash or
                                    rec.transaction_index, rec.trace_address, rec.trace_type)
            if rec.trace_type in STATE_CHANGES:
                # No transaction: one per account (genesis) or per drained account (DAO fork).
                key = (rec.block_number, rec.trace_type, rec.from_address, rec.to_address)
            elif rec.trace_type == "reward":
                # A reward has no transaction: it is the n-th reward of its block in its file
                # (the same export read twice gives the same keys).
                file_block = (rec.where.rsplit(" line ", 1)[0], rec.block_number)
                n = self._rewards.get(file_block, 0)
                self._rewards[file_block] = n + 1
                key = (rec.block_number, "reward", n)
            if self._keep(self._traces, key, rec):
                self.block(rec.block_number, kind).traces.append(rec)
        elif kind == "tokens":
            self._keep(self.tokens, rec.address, rec)
        elif kind == "contracts":
            self.contracts.add(rec)


def read_whole(files: list[ExportFile]) -> Iterator[BlockData]:
    """Every record of every file, grouped by block, in block order."""
    collector = Collector()
    for ef in files:
        n = 0
        for rec in read_export(ef):
            collector.add(ef.kind, rec)
            n += 1
        log.info("%s: %d %s", ef.path, n, ef.kind)
    for number in sorted(collector.blocks):
        yield collector.blocks.pop(number)


def read_side_by_side(files: list[ExportFile]) -> Iterator[BlockData]:
    """Files in block order, merged by block number: one block at a time."""
    def keyed(ef: ExportFile) -> Iterator[tuple[int, str, Any]]:
        for rec in read_export(ef):
            yield block_of(rec), ef.kind, rec

    current: int | None = None
    collector = Collector()
    for number, kind, rec in heapq.merge(*(keyed(f) for f in files), key=lambda x: x[0]):
        if number != current:
            if current is not None:
                yield collector.blocks[current]
            current, collector = number, Collector()
        collector.add(kind, rec)
    if current is not None:
        yield collector.blocks[current]


def token_rows(tokens: Iterable[Token], contracts: Iterable[str]) -> list[Row]:
    rows = [{"address": t.address, "token": True, "symbol": t.symbol, "name": t.name,
             "decimals": t.decimals} for t in tokens]
    known = {r["address"] for r in rows}
    rows += [{"address": c, "token": False, "symbol": None, "name": None, "decimals": None}
             for c in contracts if c not in known]
    return rows


class EthereumLoader:
    """Loads ethereum-etl exports or blocks read from a node into the graph."""

    def __init__(self, graph: Graph, *, writers: int = 2, batch_transfers: int = BATCH_TRANSFERS,
                 progress: LoadProgress | None = None, create_new: bool = True) -> None:
        """`create_new=False` MERGEs new blocks too (slower; the same graph)."""
        self.graph = graph
        self.create_new = create_new
        self.writer = EthereumWriter(graph, writers)
        self.batch_transfers = batch_transfers
        self.progress: LoadProgress = progress or LogProgress("ethereum load")
        self.summary = EthLoadSummary()
        self._pending: list[tuple[BlockData, Rows]] = []
        self._pending_transfers = 0
        self._token_lookup: Callable[[set[str]], list[Token]] | None = None
        self._known_tokens: set[str] = set()
        self._genesis: GenesisSource | None = None
        self._seen: set[str] = set()
        """Accounts of every block of the run, loaded or skipped (genesis candidates)."""
        self._wrote_block_zero = False

    # -- public -------------------------------------------------------------------------------
    def load_files(self, paths: Iterable[Path]) -> EthLoadSummary:
        """Load every export among `paths`, block by block in number order.

        When every file runs in block order (as ethereum-etl writes them) the files are read
        side by side and each block is written as soon as all of them have passed it, so
        memory holds a few blocks; otherwise every file is read whole first. Either way a
        block's rows are all read before it is transformed and written.
        """
        def body() -> None:
            files = list(iter_files(list(paths)))
            meta = Collector()
            for ef in (f for f in files if f.kind not in BLOCK_KINDS):
                for rec in read_export(ef):
                    meta.add(ef.kind, rec)
            tokens = token_rows(meta.tokens.values(), meta.contracts)
            if tokens:
                self.writer.write_tokens(tokens)
                self.summary.tokens += sum(1 for t in tokens if t["token"])
            bound = [f for f in files if f.kind in BLOCK_KINDS]
            unsorted = [f.path for f in bound if not sorted_by_block(f)]
            if unsorted:
                log.info("%s not in block order: reading every file whole before writing "
                         "(memory grows with the export)", unsorted[0])
                self._consume(read_whole(bound))
            else:
                self._consume(read_side_by_side(bound))

        return self._run(body)

    def load_blocks(self, blocks: Iterator[BlockData],
                    tokens: Callable[[set[str]], list[Token]] | None = None,
                    genesis: GenesisSource | None = None) -> EthLoadSummary:
        """Load blocks read elsewhere (the node), in the order given. `tokens(addresses)`
        fetches the metadata of token contracts seen in a batch and not yet known; `genesis`
        answers balances at block 0 (see `_genesis_pass`)."""
        self._token_lookup = tokens
        self._genesis = genesis

        def body() -> None:
            self._consume(blocks)
            if genesis is not None:
                self._flush(wait=True)
                self._genesis_pass(genesis)

        return self._run(body)

    # -- internals ----------------------------------------------------------------------------
    def _run(self, body: Callable[[], None]) -> EthLoadSummary:
        start = time.monotonic()
        apply_schema(self.graph)
        try:
            with self.progress:
                try:
                    body()
                    self._flush(wait=True)
                finally:
                    self.writer.close()
                    for k, v in self.writer.counts.items():
                        self.summary.counts[k] = self.summary.counts.get(k, 0) + v
        finally:
            self.summary.seconds = time.monotonic() - start
            self._report()
        return self.summary

    def _report(self) -> None:
        """Log what the load left out, and why."""
        c = self.summary.counts
        for key, level, text in NOTES:
            if c.get(key):
                log.log(level, "%d %s", c[key], text)

    def _consume(self, blocks: Iterator[BlockData]) -> None:
        while True:
            try:
                data = next(blocks)
            except StopIteration:
                return
            except InputError:
                self._flush(wait=True)  # the blocks before the bad one stay committed
                raise
            try:
                rows = block_rows(data)
            except InputError:
                self._flush(wait=True)
                raise
            if self._genesis is not None:
                self._seen.update(rows.accounts)
            self._pending.append((data, rows))
            self._pending_transfers += rows.transfer_count + rows.transaction_count
            if self._pending_transfers >= self.batch_transfers:
                self._flush()

    def _flush(self, *, wait: bool = False) -> None:
        if self._pending:
            numbers = [d.number for d, _ in self._pending]
            stored = self.writer.loaded(numbers)
            batch = Rows()
            blocks = 0
            for data, rows in self._pending:
                b = rows.blocks[0]
                old = stored.get(b["number"])
                if old is None and self.create_new:
                    rows.mark_new()
                elif old is not None:
                    old_hash, old_parts = old
                    if old_hash and b["hash"] and old_hash != b["hash"]:
                        self.writer.wait()
                        raise InputError(
                            f"block {b['number']} is loaded with hash {old_hash}, this source "
                            f"has {b['hash']} (a reorganised block: load finalised blocks)",
                            source=f"block {b['number']}")
                    if set(b["parts"]) <= set(old_parts):
                        self.summary.blocks_skipped += 1
                        continue
                    if "logs" in old_parts and data.token_transfers and not data.logs:
                        rows = rows_beside_stored_logs(data)
                        b = rows.blocks[0]
                    b["parts"] = sorted(set(b["parts"]) | set(old_parts))
                batch.extend(rows)
                blocks += 1
                self._wrote_block_zero |= b["number"] == 0
            self._add_tokens(batch)
            if batch.blocks:
                self.writer.submit(batch)
            self.summary.blocks_loaded += blocks
            self.summary.txs += batch.transaction_count
            self.summary.transfers += batch.transfer_count
            for k, v in batch.counts.items():
                self.summary.counts[k] = self.summary.counts.get(k, 0) + v
            self.progress.advance(len(self._pending), batch.transaction_count)
            self._pending.clear()
            self._pending_transfers = 0
        if wait:
            self.writer.wait()

    def _genesis_pass(self, source: GenesisSource) -> None:
        """The genesis allocation of an RPC load: no block shows it, so the node is asked
        `eth_getBalance(account, 0)` and a `genesis` transfer (zero address -> account, at
        block 0) is written for a balance above zero. Only once block 0 is in the graph (a
        graph that starts later has no balances to complete), and only for accounts not
        checked yet (`genesis_checked` on the Account, set by the write): those of every
        block of this run, the node's own accounts (`eth_accounts`: a dev chain's funded
        accounts, which no block may show yet), and, in the run that first writes block 0,
        every account already in the graph. A node without the state of block 0 (not an
        archive node) leaves the account unchecked, counted as `genesis_unknown`, for a
        later run to retry. The id is that of ethereum-etl's genesis traces, so an export's
        allocation and the node's are one transfer."""
        if not self._wrote_block_zero and not self.writer.loaded([0]):
            return  # block 0 not in the graph: no balance to complete
        own = [a.lower() for a in source.node_accounts()]
        wanted = sorted((self._seen | set(own)) - {ZERO_ADDRESS})
        unchecked = set(self.writer.genesis_unchecked(wanted)) if wanted else set()
        if self._wrote_block_zero:
            unchecked |= set(self.writer.genesis_unchecked(None))
        unchecked.discard(ZERO_ADDRESS)
        todo = sorted(unchecked)
        if not todo:
            return
        log.info("genesis allocations: asking eth_getBalance at block 0 for %d accounts",
                 len(todo))
        written = 0
        for i in range(0, len(todo), GENESIS_CHUNK):
            chunk = todo[i: i + GENESIS_CHUNK]
            balances = source.balances(chunk)
            rows: list[Row] = []
            for address in chunk:
                value = balances.get(address)
                if value is None:
                    self.summary.counts["genesis_unknown"] = \
                        self.summary.counts.get("genesis_unknown", 0) + 1
                    continue
                transfer = None
                if value > 0:
                    transfer = {"id": genesis_id(0, address), "kind": "genesis", "asset": ETH,
                                **amount_fields(value), "block": 0, "tx_index": None,
                                "seq": 0, "tx_hash": None}
                    written += 1
                rows.append({"address": address, "transfer": transfer})
            if rows:
                self.writer.write_genesis(rows)
        if written:
            self.summary.transfers += written
            self.summary.counts["genesis"] = self.summary.counts.get("genesis", 0) + written

    def _add_tokens(self, batch: Rows) -> None:
        lookup = self._token_lookup
        if lookup is None:
            return
        new = {t["asset"] for t in (*batch.transfers, *batch.new_transfers)
               if t["kind"] == "erc20"} - self._known_tokens
        if not new:
            return
        self._known_tokens |= new
        tokens = lookup(new)
        if tokens:
            self.writer.write_tokens(token_rows(tokens, ()))
            self.summary.tokens += len(tokens)

