"""chaintrail.runtime.fewer_collections: its thresholds inside, the old ones restored after."""

from __future__ import annotations

import gc

import pytest

from chaintrail.runtime import GC_THRESHOLD, fewer_collections


def test_thresholds_are_raised_inside_and_restored_after_even_on_error() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == GC_THRESHOLD != before
        with fewer_collections():  # nested: the outer's thresholds come back
            pass
        assert gc.get_threshold() == GC_THRESHOLD
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError("boom")
    assert gc.get_threshold() == before
