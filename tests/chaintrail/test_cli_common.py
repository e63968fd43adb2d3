"""chaintrail.cli.common.bulk: bulk commands run with rarer cyclic collections, and only them."""

from __future__ import annotations

import gc

import pytest

from chaintrail.cli.cluster import cluster
from chaintrail.cli.common import BULK_GC_THRESHOLD, bulk
from chaintrail.cli.load import load_bitcoin, load_bitcoin_rpc
from chaintrail.cli.load_ethereum import load_ethereum, load_ethereum_rpc
from chaintrail.cli.sample import generate
from chaintrail.cli.serve import serve
from chaintrail.cli.tags import load_tags


def test_thresholds_are_raised_inside_and_restored_after_even_on_error() -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []

    @bulk
    def work(fail: bool) -> None:
        seen.append(gc.get_threshold())
        if fail:
            raise ValueError("boom")

    work(False)
    with pytest.raises(ValueError):
        work(True)
    assert seen == [BULK_GC_THRESHOLD, BULK_GC_THRESHOLD]
    assert gc.get_threshold() == before != BULK_GC_THRESHOLD


BULK_WRAPPER = bulk(lambda: None).__code__  # @wraps copies names, not the code


def _wrapped_by_bulk(fn: object) -> bool:
    while fn is not None:
        if getattr(fn, "__code__", None) is BULK_WRAPPER:
            return True
        fn = getattr(fn, "__wrapped__", None)
    return False


def test_bulk_commands_use_it_and_serve_does_not() -> None:
    for command in (load_bitcoin, load_bitcoin_rpc, load_ethereum, load_ethereum_rpc,
                    load_tags, cluster, generate):
        assert _wrapped_by_bulk(command), command
    assert not _wrapped_by_bulk(serve)
