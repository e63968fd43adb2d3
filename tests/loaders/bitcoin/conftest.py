"""Fixtures over the real chain data in ../shared/data/bitcoin (skipped when it is absent).

Tests that take `raw_name`, `blk_name` or `facts_name` run once per such file; the names are
found when the tests are collected, and a test gets a single skipped case when the data is not
there. `shared_data` (tests/conftest.py) does the skipping.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
BITCOIN = SHARED / "bitcoin"
ABSENT = "shared-data-absent"


def _names(folder: str, pattern: str) -> list[str]:
    d = BITCOIN / folder
    names = sorted(p.name for p in d.glob(pattern)) if d.is_dir() else []
    return names or [ABSENT]


def _facts_names() -> list[str]:
    names = [
        n
        for n in _names("facts", "*.facts.json")
        if not n.endswith(".inputs.facts.json") and not n.endswith(".spends.json")
    ]
    return names or [ABSENT]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for argname, names in (
        ("raw_name", lambda: _names("raw", "*.raw")),
        ("blk_name", lambda: _names("blk", "*")),
        ("facts_name", _facts_names),
    ):
        if argname in metafunc.fixturenames:
            metafunc.parametrize(argname, names())


@pytest.fixture(scope="session")
def bitcoin_data(shared_data: Path) -> Path:
    """../shared/data/bitcoin (skips when absent)."""
    return shared_data / "bitcoin"


@pytest.fixture
def raw_file(bitcoin_data: Path, raw_name: str) -> Path:
    return bitcoin_data / "raw" / raw_name


@pytest.fixture
def blk_file(bitcoin_data: Path, blk_name: str) -> Path:
    return bitcoin_data / "blk" / blk_name


@pytest.fixture
def facts(bitcoin_data: Path, facts_name: str) -> dict[str, Any]:
    """The parsed facts file, with `path` added: the data file it describes."""
    doc: dict[str, Any] = json.loads((bitcoin_data / "facts" / facts_name).read_text())
    doc["path"] = bitcoin_data.parent / doc["file"]
    return doc
