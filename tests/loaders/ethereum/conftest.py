"""Fixtures over ethereum-etl's test resources in ../shared/data/ethereum/ethereum-etl
(skipped when absent), and plain readers of its expected exports.

The readers use only csv/json, not the loader's own parser, so a comparison with them checks
the loader rather than itself.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from cypher.runner import Graph


@pytest.fixture(scope="session")
def etl(shared_data: Path) -> Path:
    path = shared_data / "ethereum" / "ethereum-etl"
    if not path.is_dir():
        pytest.skip(f"ethereum-etl test resources not present at {path}")
    return path


def expected(path: Path) -> list[dict[str, Any]]:
    """An export's rows as dicts: CSV cells as strings ('' for empty), JSON values as is."""
    text = path.read_text()
    if not text.strip():
        return []
    if text.lstrip().startswith("{"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return list(csv.DictReader(text.splitlines()))


def num(v: Any) -> int | None:
    return None if v in ("", None) else int(v)


def addr(v: Any) -> str | None:
    return None if v in ("", None) else str(v).lower()


def transfers(graph: Graph, kind: str | None = None) -> dict[str, dict[str, Any]]:
    """Every TRANSFER in the graph (of one kind), by id."""
    with graph.driver.session(database=graph.database) as s:
        rows = s.run(
            "MATCH (a:Account)-[t:TRANSFER]->(b:Account) WHERE $kind IS NULL OR t.kind = $kind "
            "RETURN t.id AS id, properties(t) AS p, a.address AS frm, b.address AS to",
            kind=kind).data()
    return {r["id"]: {**r["p"], "from": r["frm"], "to": r["to"]} for r in rows}


def nodes(graph: Graph, label: str, key: str) -> dict[Any, dict[str, Any]]:
    with graph.driver.session(database=graph.database) as s:
        rows = s.run(f"MATCH (n:{label}) RETURN properties(n) AS p").data()
    return {r["p"][key]: r["p"] for r in rows}
