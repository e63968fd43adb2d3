"""Progress of long loads: a `rich` bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import time
from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

log = logging.getLogger(__name__)


class LoadProgress(Protocol):
    def __enter__(self) -> LoadProgress: ...
    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def advance(self, blocks: int, txs: int) -> None: ...


class _Rates:
    def __init__(self) -> None:
        self.blocks = 0
        self.txs = 0
        self.start = time.monotonic()

    def add(self, blocks: int, txs: int) -> None:
        self.blocks += blocks
        self.txs += txs

    @property
    def tx_rate(self) -> float:
        return self.txs / max(time.monotonic() - self.start, 1e-9)


class RichProgress:
    """Blocks done and transactions per second, redrawn in place."""

    def __init__(self, label: str, console: Console | None = None) -> None:
        self.rates = _Rates()
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("blocks · {task.fields[txs]} txs · {task.fields[rate]} tx/s"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = self.bar.add_task(label, total=None, txs=0, rate="0")

    def __enter__(self) -> RichProgress:
        self.bar.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.bar.stop()

    def advance(self, blocks: int, txs: int) -> None:
        self.rates.add(blocks, txs)
        self.bar.update(
            self.task, advance=blocks, txs=self.rates.txs, rate=f"{self.rates.tx_rate:,.0f}"
        )


class LogProgress:
    """One log line every `every_s` seconds and one at the end (for CI logs and pipes)."""

    def __init__(self, label: str, every_s: float = 10.0) -> None:
        self.label = label
        self.rates = _Rates()
        self.every_s = every_s
        self.last = time.monotonic()

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._log()

    def advance(self, blocks: int, txs: int) -> None:
        self.rates.add(blocks, txs)
        if time.monotonic() - self.last >= self.every_s:
            self._log()

    def _log(self) -> None:
        self.last = time.monotonic()
        log.info("%s: %d blocks, %d txs, %.0f tx/s", self.label, self.rates.blocks,
                 self.rates.txs, self.rates.tx_rate)


def make_progress(label: str, console: Console | None = None) -> LoadProgress:
    """A rich bar when the console is a terminal, log lines otherwise."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        return RichProgress(label, console)
    return LogProgress(label)
