"""The Bitcoin load: sources -> verified blocks -> rows -> one write transaction per batch.

Each batch of whole blocks is written in one transaction, with MERGE on unique keys, its inputs
in the transaction of a batch or two later (see `BitcoinLoader._flush`): a block counts as
loaded only once its inputs are in, and writing it again changes nothing. So a load killed at
any point (even SIGKILL) and run again ends with the same graph; blocks already loaded are
skipped. Chain placement (heights, main/stale/detached) runs at the end of a load, over all
loaded headers, so the order in which blocks arrive does not matter (a load whose blocks all
extended a main chain was placed as it was written and skips it); then incremental address
clustering (analysis.clustering) takes the transactions the load labelled `:Unclustered`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import ManagedTransaction

from analysis.clustering import ClusterConfig, Clusterer, ClusterSummary, resolve_config
from chaintrail.errors import ChaintrailError, FormatError, InputError
from cypher.runner import Graph
from cypher.schema import apply_schema
from loaders.batching import BatchWriter, chunks
from loaders.bitcoin.chain import Header, MainTips, Placement, place
from loaders.bitcoin.model import Block, Prevout, Tx
from loaders.bitcoin.network import NETWORKS, Network
from loaders.bitcoin.prevouts import read_prevouts
from loaders.bitcoin.rows import Row, Rows, block_rows, prevout_rows, tx_rows
from loaders.bitcoin.sources import SourcedTx, iter_items
from loaders.bitcoin.verify import verify_block
from loaders.progress import LoadProgress, LogProgress

log = logging.getLogger(__name__)

WRITE_ORDER = (
    ("load/bitcoin/blocks", "blocks"),
    ("load/bitcoin/prevouts", "prevouts"),
    ("load/bitcoin/transactions", "txs"),
    ("load/bitcoin/spends", "spends"),
    ("load/bitcoin/complete_blocks", "completed"),
)
PLACEMENT_CHUNK_TXS = 20_000
STATEMENT_ROWS = 2_000
"""Rows (transactions, with their outputs or inputs) per UNWIND statement: large enough to
amortise the round trip, small enough that one statement's parameters stay a few MB."""


@dataclass(slots=True)
class LoadSummary:
    blocks_loaded: int = 0
    blocks_skipped: int = 0
    txs: int = 0
    inputs: int = 0
    outputs: int = 0
    prevouts: int = 0
    lone_txs: int = 0
    lone_txs_skipped: int = 0
    seconds: float = 0.0
    cluster_seconds: float = 0.0
    clustering: ClusterSummary | None = None

    @property
    def tx_rate(self) -> float:
        return self.txs / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "blocks_loaded": self.blocks_loaded,
            "blocks_skipped": self.blocks_skipped,
            "txs": self.txs,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "prevouts": self.prevouts,
            "lone_txs": self.lone_txs,
            "lone_txs_skipped": self.lone_txs_skipped,
            "seconds": round(self.seconds, 3),
            "tx_per_s": round(self.tx_rate, 1),
            "cluster_seconds": round(self.cluster_seconds, 3),
            "clustering": self.clustering.as_dict() if self.clustering else None,
        }



class BitcoinWriter(BatchWriter[Rows]):
    """Writes Bitcoin batches, each in one transaction, in dependency order. Concurrent
    batches may touch the same Address or Output; unique constraints keep MERGE correct, and a
    deadlock between them is a transient error that the driver retries."""

    thread_name = "bitcoin-writer"

    def write(self, rows: Rows) -> None:
        def work(tx: ManagedTransaction) -> None:
            for query, attr in WRITE_ORDER:
                batch = getattr(rows, attr)
                for chunk in chunks(batch, STATEMENT_ROWS):
                    self.graph.run_write(tx, query, {"rows": list(chunk)})

        self.graph.write(work, "bitcoin load batch")

    def loaded(self, hashes: list[str]) -> set[str]:
        rows = self.graph.read("load/bitcoin/loaded_blocks", {"hashes": hashes})
        return {r["hash"] for r in rows}

    def loaded_txs(self, txids: list[str]) -> set[str]:
        rows = self.graph.read("load/bitcoin/loaded_txs", {"txids": txids})
        return {r["txid"] for r in rows}


class BitcoinLoader:
    """Loads block sources and prevouts files into the graph."""

    def __init__(
        self,
        graph: Graph,
        *,
        batch_txs: int = 1000,
        writers: int = 2,
        progress: LoadProgress | None = None,
        cluster: bool = True,
        cluster_config: ClusterConfig | None = None,
        cluster_warn_size: int = 1_000,
    ) -> None:
        """`cluster=False` leaves the new transactions `:Unclustered` for `chaintrail cluster`;
        `cluster_config` must match the stored configuration (None: use the stored one)."""
        self.graph = graph
        self.cluster = cluster
        self.cluster_config = cluster_config
        self.cluster_warn_size = cluster_warn_size
        self.writer = BitcoinWriter(graph, writers)
        self.batch_txs = batch_txs
        self.progress: LoadProgress = progress or LogProgress("bitcoin load")
        self.summary = LoadSummary()
        self._pending: list[tuple[Block | Tx, Network, Sequence[Prevout]]] = []
        self._pending_txs = 0
        self._tips: MainTips | None = None
        """Where blocks that extend a main chain go, known as they are written (see `_run`)."""
        self._lagging: list[tuple[Future[None], Rows]] = []
        """Inputs (and the blocks they complete) of the last batches, written with a later
        batch, each with the future of the batch that wrote their transactions: see
        `_flush`."""
        self._seen: set[str] = set()
        """Block hashes and lone txids of this load: the same one given twice goes in once."""
        self._networks: set[str] = set()
        """The networks of the blocks in the graph and in this load."""
        self._placement_due = True
        """Whether chain placement must run after the load: a block was written that
        `MainTips` could not place, or the database held unplaced blocks before it."""

    # -- public -----------------------------------------------------------------------------
    def load(
        self,
        paths: Iterable[Path],
        *,
        prevout_files: Iterable[Path] = (),
        height: int | None = None,
        network: Network | None = None,
    ) -> LoadSummary:
        """Load files; on bad input commit the blocks before it, then raise."""
        net_for_prevouts = network or NETWORKS["mainnet"]

        def body() -> None:
            # A prevouts file is validated whole before anything of it is written.
            for f in prevout_files:
                self.load_prevouts(list(read_prevouts(f)), net_for_prevouts, f)
            for path in paths:
                self._load_path(path, height, network)

        return self._run(body)

    def load_blocks(
        self, blocks: Iterable[tuple[Block, Sequence[Prevout]]], network: Network
    ) -> LoadSummary:
        """Load already-parsed blocks with their prevouts (the RPC source), same batching."""
        return self._run(
            lambda: self._consume((b, network, prevouts) for b, prevouts in blocks)
        )

    def _run(self, body: Callable[[], None]) -> LoadSummary:
        """Schema, the body, the last batch, then chain placement of whatever was committed.

        A loader is used for one load: its writer thread is shut down at the end.
        """
        start = time.monotonic()
        apply_schema(self.graph)
        config = resolve_config(self.graph, self.cluster_config) if self.cluster else None
        # Blocks that extend a main chain are placed as they are written: chain placement after
        # the load then finds them in place and does not write their transactions a second
        # time (3.8 s of a 68 s load of 200,000 generated transactions).
        current, headers = read_headers(self.graph)
        placed = place(headers, GENESIS)
        self._tips = MainTips(headers, placed)
        self._networks = {h.network for h in headers.values()}
        # Blocks a killed load left unplaced are placed at the end of this one.
        self._placement_due = bool(changed_placements(current, placed))
        try:
            with self.progress:
                try:
                    body()
                    self._flush(wait=True)
                finally:
                    self.writer.close()
        except ChaintrailError:
            # Bad input (or a database error): what was committed before it is made whole
            # all the same, then the load's own error is raised.
            self._finish(config, failed=True)
            raise
        except BaseException:  # interrupted: at least the committed blocks get their heights
            self._after_failure("chain placement", self.place_chain)
            raise
        else:
            self._finish(config, failed=False)
        finally:
            self.summary.seconds = time.monotonic() - start
        return self.summary

    def _finish(self, config: ClusterConfig | None, *, failed: bool) -> None:
        """After the load: outputs a wrong prevout had linked are relinked, blocks placed, new
        transactions clustered. After a failure each step runs all the same (the blocks
        committed before it stay, and are placed and clustered as after any load); a step
        that fails then is logged, not raised: the load's own error is the one to report."""
        steps: list[tuple[str, Callable[[], object]]] = [
            ("output correction", self._correct_outputs)]
        # When every block of the load extended a main chain (following the tip, say), it is
        # placed already: no second read of every header in the database.
        if self._placement_due or failed:
            steps.append(("chain placement", self.place_chain))
        if config is not None:
            steps.append(("clustering", lambda: self._cluster(config)))
        if len(self._networks) > 1:
            log.warning("the graph now holds blocks of several networks (%s): heights, and "
                        "lookups by height, mix them; keep one network per database (its own "
                        "CHAINTRAIL_HOME)", ", ".join(sorted(self._networks)))
        for what, step in steps:
            if failed:
                self._after_failure(what, step)
            else:
                step()

    def _correct_outputs(self) -> None:
        (row,) = self.graph.autocommit("load/bitcoin/correct_outputs")
        if row["corrected"]:
            log.warning(
                "%d output(s) were first written from prevouts that the blocks creating them "
                "contradict; the blocks' values and addresses are kept. Clusters merged through "
                "the wrong addresses stay merged until `chaintrail cluster --rebuild`",
                row["corrected"])

    @staticmethod
    def _after_failure(what: str, step: Callable[[], object]) -> None:
        try:
            step()
        except ChaintrailError as e:
            log.warning("%s after the failed load did not run: %s", what, e)

    def _cluster(self, config: ClusterConfig) -> None:
        t0 = time.monotonic()
        clusterer = Clusterer(self.graph, config, warn_size=self.cluster_warn_size)
        self.summary.clustering = clusterer.run()
        self.summary.cluster_seconds = time.monotonic() - t0

    def load_prevouts(self, prevouts: Sequence[Prevout], net: Network,
                      path: Path | None = None) -> None:
        """Write outputs known from prevouts; those of a file (`path`) are checked first,
        the file whole, before any of them is written."""
        batches = []
        for chunk in chunks(prevouts, 20_000):
            rows = Rows()
            prevout_rows(chunk, net, rows)
            batches.append((rows, chunk))
        if path is not None:
            self._check_prevouts(path, batches)
        for rows, _ in batches:
            self.writer.submit(rows)
        self.summary.prevouts += len(prevouts)

    def _check_prevouts(self, path: Path,
                        batches: Sequence[tuple[Rows, Sequence[Prevout]]]) -> None:
        """Refuse a prevouts file that contradicts itself or an output already stored (by a
        verified block, or an earlier prevouts file), naming the line: a prevout must never
        change what the graph says an output pays."""
        self.writer.wait()  # an earlier file's prevouts are in the database
        said: dict[str, tuple[Row, int | None]] = {}
        for rows, chunk in batches:
            mine: dict[str, tuple[Row, int | None]] = {}
            for row, p in zip(rows.prevouts, chunk, strict=True):
                first = said.get(row["id"])
                if first is not None and _pays(first[0]) != _pays(row):
                    raise FormatError(f"prevout {row['id']} contradicts line {first[1]} of the "
                                      "same file", source=str(path), line=p.line)
                said.setdefault(row["id"], (row, p.line))
                mine[row["id"]] = (row, p.line)
            for stored in self.graph.read("load/bitcoin/stored_outputs",
                                          {"ids": list(mine)}):
                row, line = mine[stored["id"]]
                if _pays(stored) != _pays(row):
                    by = ("the loaded transaction that created it" if stored["created"]
                          else "an earlier prevouts file")
                    raise FormatError(
                        f"prevout {row['id']} says {_says(row)}, but {by} says "
                        f"{_says(stored)}", source=str(path), line=line)

    # -- internals ----------------------------------------------------------------------------
    def _load_path(self, path: Path, height: int | None, network: Network | None) -> None:
        items = iter_items(path, height=height, network=network)
        self._consume(
            (it.tx if isinstance(it, SourcedTx) else it.block, it.network, ()) for it in items
        )

    def _consume(
        self, blocks: Iterator[tuple[Block | Tx, Network, Sequence[Prevout]]]
    ) -> None:
        """Add blocks from a source; bad input commits the blocks before it, then raises."""
        while True:
            try:
                block, net, prevouts = next(blocks)
            except StopIteration:
                return
            except InputError:
                self._flush(wait=True)  # blocks before the bad one stay committed
                raise
            self._add(block, net, prevouts)

    def _add(self, item: Block | Tx, net: Network, prevouts: Sequence[Prevout] = ()) -> None:
        if isinstance(item, Tx):  # a lone transaction: nothing to verify but its parse
            if item.txid in self._seen:
                self.summary.lone_txs_skipped += 1
                return
            self._seen.add(item.txid)
            self._pending.append((item, net, prevouts))
            self._pending_txs += 1
            return
        block = item
        if block.hash in self._seen:
            return
        try:
            verify_block(block, net)
        except InputError:
            self._flush(wait=True)
            raise
        self._seen.add(block.hash)
        self._pending.append((block, net, prevouts))
        self._pending_txs += len(block.txs)
        if self._pending_txs >= self.batch_txs:
            self._flush()

    def _flush(self, *, wait: bool = False) -> None:
        """Hand the pending blocks to the writer (skipping those already in the database).

        With more than one writer, a batch's inputs are written `writers` batches later, in
        the same transaction as that later batch's transactions. With two writers, batch k+1
        is written while batch k is; inputs of k+1 that spend outputs of k would wait on k's
        uncommitted unique-index entries, and the two writers would take turns (measured on
        200,000 generated transactions: 67.4-68.1 s with the lag against 71.8-75.1 s). Until
        then its blocks stay `inputs_pending` (not counted as loaded), so a load killed in
        between writes them again.

        Lagged inputs go in only once the batch that wrote their transactions is committed
        (its future is waited for; `submit` would wait for it anyway): in a transaction beside
        it, the spends would not see the transactions they link and would be lost, and the
        blocks would stay pending. `wait` waits for every batch in flight, then writes every
        lagged input.
        """
        rows = Rows()
        mine: Rows | None = None
        if self._pending:
            # Blocks in flight are not in the database yet, but `_seen` already skips them.
            already = self.writer.loaded(
                [b.hash for b, _, _ in self._pending if isinstance(b, Block)])
            # A lone transaction has no block to mark it loaded; it is loaded once written
            # with its inputs. Written again, its inputs would label it for clustering again.
            lone = [t.txid for t, _, _ in self._pending if isinstance(t, Tx)]
            already_txs = self.writer.loaded_txs(lone) if lone else set()
            blocks = 0
            for item, net, prevouts in self._pending:
                if isinstance(item, Tx):
                    if item.txid in already_txs:
                        self.summary.lone_txs_skipped += 1
                        continue
                    tx_rows(item, net, rows)
                    self.summary.lone_txs += 1
                    continue
                if item.hash in already:
                    self.summary.blocks_skipped += 1
                    continue
                prevout_rows(prevouts, net, rows)
                self.summary.prevouts += len(prevouts)
                self._networks.add(net.name)
                placed = None if self._tips is None else self._tips.extend(Header(
                    hash=item.hash, prev_hash=item.header.prev_hash, bits=item.header.bits,
                    network=net.name))
                if placed is None:
                    self._placement_due = True
                block_rows(item, net, rows, placed)
                blocks += 1
            self.summary.blocks_loaded += blocks
            self.summary.txs += rows.tx_count
            self.summary.inputs += rows.input_count
            self.summary.outputs += rows.output_count
            self.progress.advance(len(self._pending), rows.tx_count)
            self._pending.clear()
            self._pending_txs = 0
            mine = Rows(blocks=rows.blocks, spends=rows.spends).whole()
            rows.spends = []
        lag = self.writer.writers if self.writer.writers > 1 else 0
        while self._lagging and (wait or len(self._lagging) >= lag):
            written, lagged = self._lagging.pop(0)
            written.result()
            rows.spends += lagged.spends
            rows.completed += lagged.completed
        if mine is not None and (mine.spends or mine.completed):
            if lag and not wait:
                self._lagging.append((self.writer.submit(rows), mine))
                return
            rows.spends += mine.spends  # in this batch's own transaction, after its txs
            rows.completed += mine.completed
        if len(rows):
            self.writer.submit(rows)
        if wait:
            self.writer.wait()

    def place_chain(self) -> int:
        """Recompute heights and statuses of all blocks; write the ones that changed."""
        return place_chain(self.graph)


def _pays(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """What an output pays, as an output row and `load/bitcoin/stored_outputs` both say it."""
    return (row["value"], row["script_type"], row["address"], row["script"])


def _says(row: Mapping[str, Any]) -> str:
    to = row["address"] or f"a {row['script_type']} script"
    return f"{row['value']} satoshi to {to}"


GENESIS = {name: net.genesis_hash for name, net in NETWORKS.items()}


def read_headers(graph: Graph) -> tuple[list[dict[str, Any]], dict[str, Header]]:
    """Every loaded block's `chain/headers` row, and its header by hash."""
    current = graph.read("chain/headers")
    headers = {
        r["hash"]: Header(
            hash=r["hash"],
            prev_hash=r["prev_hash"],
            bits=int(r["bits"], 16),
            bip34_height=r["bip34_height"],
            height_hint=r["height_hint"],
            network=r["network"],
        )
        for r in current
    }
    return current, headers


def changed_placements(current: list[dict[str, Any]],
                       placed: dict[str, Placement]) -> list[dict[str, Any]]:
    """`chain/update_blocks` rows for the blocks whose stored placement (`chain/headers`
    rows) differs from `placed`."""
    changed = []
    for r in current:
        p = placed[r["hash"]]
        work = f"{p.chainwork:064x}"
        if (r["height"], r["status"], r["chainwork"]) != (p.height, p.status, work):
            changed.append(
                {"hash": r["hash"], "height": p.height, "status": p.status, "chainwork": work}
            )
    return changed


def place_chain(graph: Graph) -> int:
    """Chain placement over every loaded header; returns how many blocks changed."""
    current, headers = read_headers(graph)
    changed = changed_placements(current, place(headers, GENESIS))
    # Chunks of at most ~20,000 transactions: update_transactions touches each of them, and
    # one transaction over all of a large load would exceed the transaction memory limit.
    tx_counts = {r["hash"]: r["tx_count"] or 1 for r in current}
    chunk: list[dict[str, Any]] = []
    weight = 0
    for c in [*changed, None]:
        if c is not None:
            chunk.append(c)
            weight += tx_counts[c["hash"]]
        if chunk and (c is None or weight >= PLACEMENT_CHUNK_TXS):

            def work_fn(tx: ManagedTransaction, rows: list[dict[str, Any]] = chunk) -> None:
                graph.run_write(tx, "chain/update_blocks", {"rows": rows})
                graph.run_write(tx, "chain/update_transactions",
                                {"hashes": [r["hash"] for r in rows]})

            graph.write(work_fn, "chain placement")
            chunk, weight = [], 0
    if changed:
        log.info("chain placement: %d block(s) placed or moved", len(changed))
    return len(changed)
