"""chaintrail.cli.common.bulk: the bulk commands, and only they, run with fewer collections."""

from __future__ import annotations

import gc

from chaintrail.cli.cluster import cluster
from chaintrail.cli.common import bulk
from chaintrail.cli.load import load_bitcoin, load_bitcoin_rpc
from chaintrail.cli.load_ethereum import load_ethereum, load_ethereum_rpc
from chaintrail.cli.sample import generate
from chaintrail.cli.serve import serve
from chaintrail.cli.tags import load_tags
from chaintrail.runtime import GC_THRESHOLD


def test_bulk_runs_the_command_with_fewer_collections() -> None:
    seen: list[tuple[int, ...]] = []
    bulk(lambda: seen.append(gc.get_threshold()))()
    assert seen == [GC_THRESHOLD] and gc.get_threshold() != GC_THRESHOLD


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
