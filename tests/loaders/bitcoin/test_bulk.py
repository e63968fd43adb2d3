"""`chaintrail load bitcoin --bulk`: the offline path (neo4j-admin import) gives exactly the
graph the online path gives, refuses a database that is not empty, and on bad input imports
the blocks before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cypher.runner import Graph
from loaders.bitcoin.bulk import CsvWriter
from loaders.bitcoin.load import BitcoinLoader
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.rows import Rows, block_rows
from loaders.bitcoin.sources import iter_blocks
from tests.helpers import graph_fingerprint, run_cli, wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]


def test_csv_files_have_one_row_per_entity(shared_data: Path, tmp_path: Path) -> None:
    rows = Rows()
    for sb in iter_blocks(shared_data / "bitcoin/blk/bitcoinj-blocks-0-438.dat"):
        block_rows(sb.block, MAINNET, rows)
    with CsvWriter(tmp_path) as w:
        w.write(rows)
    lines = {p.stem: len(p.read_text().splitlines()) for p in tmp_path.glob("*.csv")
             if not p.stem.endswith(".header")}
    assert (lines["blocks"], lines["transactions"], lines["outputs"], lines["spent_by"],
            lines["in_block"], lines["creates"]) == (439, 446, 451, 7, 446, 451)
    assert (tmp_path / "outputs.header.csv").read_text().startswith("id:ID(Output),txid,n:long")


@pytest.mark.parametrize("case", ["bitcoinj", "prevouts"])
def test_bulk_gives_the_same_graph_as_online(
    graph: Graph, shared_data: Path, cli_env: dict[str, str], case: str
) -> None:
    btc = shared_data / "bitcoin"
    args = [str(btc / "blk/bitcoinj-blocks-0-438.dat")] if case == "bitcoinj" else [
        "--prevouts", str(btc / "prevouts/0277647.jsonl"), str(btc / "blk/btcd-277647.dat.bz2")]
    wipe(graph)
    run_cli(cli_env, "load", "bitcoin", *args)
    online = graph_fingerprint(graph)
    wipe(graph)
    run_cli(cli_env, "load", "bitcoin", "--bulk", *args)
    assert graph_fingerprint(graph) == online
    # and the schema is back: a second, online load is idempotent on the imported graph
    run_cli(cli_env, "load", "bitcoin", *args)
    assert graph_fingerprint(graph) == online


def test_bulk_refuses_a_database_that_is_not_empty(
    graph: Graph, shared_data: Path, cli_env: dict[str, str]
) -> None:
    wipe(graph)
    BitcoinLoader(graph).load([shared_data / "bitcoin/raw/0000001.raw"])
    proc = run_cli(cli_env, "load", "bitcoin", "--bulk",
                   str(shared_data / "bitcoin/raw/0000000.raw"), check=False)
    assert proc.returncode == 1 and "needs an empty database" in proc.stderr


def test_bulk_on_bad_input_imports_what_came_before(
    graph: Graph, shared_data: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    data = (shared_data / "bitcoin/blk/bitcoinj-blocks-0-438.dat").read_bytes()
    bad = tmp_path / "truncated.dat"
    bad.write_bytes(data[: len(data) // 2])
    wipe(graph)
    proc = run_cli(cli_env, "load", "bitcoin", "--bulk", str(bad), check=False)
    assert proc.returncode == 1 and str(bad) in proc.stderr and "offset" in proc.stderr
    headers = graph.read("chain/headers")
    assert 100 < len(headers) < 439
    assert {h["status"] for h in headers} == {"main"}
    assert max(h["height"] for h in headers) == len(headers) - 1
