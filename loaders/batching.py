"""What every loader's write side shares: statement-sized chunks, and a writer that overlaps
the Python transform of the next batch with Neo4j writing this one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from cypher.runner import Graph

T = TypeVar("T")
R = TypeVar("R")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size` (one UNWIND statement each)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


class BatchWriter(Generic[R]):
    """Writes batches of rows, each in one transaction (`write`, per loader), on background
    threads.

    `submit` hands a batch to a background thread, so that parsing and building the next batch
    (Python) overlaps with Neo4j writing this one; with `writers=2` two batches are written at
    once (Neo4j runs one transaction on one core; a 2-core machine has room for a second).
    `wait` returns when every batch is committed and re-raises the first error.
    """

    thread_name = "writer"

    def __init__(self, graph: Graph, writers: int = 1) -> None:
        self.graph = graph
        self.writers = max(1, writers)
        self._pool = ThreadPoolExecutor(max_workers=self.writers,
                                        thread_name_prefix=self.thread_name)
        self._inflight: list[Future[None]] = []

    def submit(self, rows: R) -> Future[None]:
        """Hand `rows` to a writer thread; the future is done when they are committed."""
        while len(self._inflight) >= self.writers:
            self._inflight.pop(0).result()
        future = self._pool.submit(self.write, rows)
        self._inflight.append(future)
        return future

    def wait(self) -> None:
        while self._inflight:
            self._inflight.pop(0).result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)

    def write(self, rows: R) -> None:
        """Write one batch in one transaction."""
        raise NotImplementedError
