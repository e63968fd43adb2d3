"""`load tags` through a tiny Typer app (the command function as main.py will register it):
the JSON summary on stdout, warnings on stderr, clear refusals with exit code 1."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from chaintrail.cli.tags import load_tags
from cypher.runner import Graph
from tests.loaders.tags.test_tagpack import ARCHIVE, P2SH, TRON

pytestmark = pytest.mark.neo4j


@pytest.fixture
def app(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    """The command in an app of its own, with the environment pointing at the test instance;
    the logging setup the command installs is undone afterwards."""
    for k in os.environ:
        if k.startswith("CHAINTRAIL_") and k not in cli_env:
            monkeypatch.delenv(k)
    for k, v in cli_env.items():
        if k.startswith("CHAINTRAIL_"):
            monkeypatch.setenv(k, v)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    tiny = typer.Typer()
    tiny.command()(load_tags)
    try:
        yield tiny
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_load_tags_prints_a_json_summary(app: typer.Typer, empty_graph: Graph,
                                         tmp_path: Path) -> None:
    lst = tmp_path / "watch.txt"
    lst.write_text(f"{ARCHIVE}\n{TRON}\n")
    result = CliRunner().invoke(app, [str(lst), "--source", "case-17", "--category", "scam"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["tags"], summary["invalid"], summary["tags_created"]) == (1, 1, 1)
    assert f"{lst} line 2:" in result.stderr and "TRON" in result.stderr
    rows = empty_graph.read("lookup/tags", {"address": ARCHIVE})
    assert [(r["label"], r["source"], r["category"], r["inherited"]) for r in rows] == [
        ("watch.txt", "case-17", "scam", False)]


def test_refusals_are_clear(app: typer.Typer, empty_graph: Graph, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    assert "no such file or directory" in result.stderr
    bad = tmp_path / "pack.yaml"
    bad.write_text(f"title: t\ntags:\n- address: {P2SH}\n  currency: [BTC\n")
    result = CliRunner().invoke(app, [str(bad)])
    assert result.exit_code == 1
    assert "bad input" in result.stderr and f"{bad} line 5" in result.stderr
    assert empty_graph.read("lookup/tags", {"address": P2SH}) == []
