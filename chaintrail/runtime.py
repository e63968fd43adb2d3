"""The garbage collector's tuning, one place for the CLI's bulk commands and the API server.

Both make many short-lived objects that reference counting frees (rows of a chunk, a request's
GraphQL values). At Python's default thresholds (700, 10, 10) the cyclic collector walked the
live objects again and again for nothing. Measurements are in docs/benchmarks.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLD = (20_000, 10, 10)
"""Cyclic-collector thresholds while the work runs. Higher ones gained no more time and cost
memory: 50,000/20/100 raised the Bitcoin load's peak RSS to 323 MB (265 MB with these)."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """GC_THRESHOLD inside, the thresholds found outside restored after (also on error)."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*old)
