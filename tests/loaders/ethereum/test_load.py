"""`chaintrail load ethereum` on ethereum-etl's exports: the graph holds the transactions,
transfers and token transfers of the expected exports; loading is idempotent, order-free,
resumable, additive across kinds of source, and strict on bad input."""

from __future__ import annotations

import csv
import json
import logging
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from chaintrail.errors import FormatError
from cypher.runner import Graph
from loaders.ethereum.address import ZERO_ADDRESS
from loaders.ethereum.generate import generate
from loaders.ethereum.load import EthereumLoader
from loaders.ethereum.rows import TRANSFER_TOPIC
from tests.helpers import CLI, graph_fingerprint, run_cli, wipe
from tests.loaders.ethereum.conftest import (
    addr,
    check_token_transfers,
    check_transactions,
    erc721_keys,
    expected,
    fees,
    nodes,
    num,
    rows_of,
    transfers,
)

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

NO_VALUE = ("delegatecall", "callcode", "staticcall")


def load(graph: Graph, *paths: Path, **kw: Any) -> dict[str, Any]:
    return EthereumLoader(graph, **kw).load_files(list(paths)).as_dict()


def internal_of_rows(traces: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    def path(r: dict[str, Any]) -> str:
        p = r["trace_address"]
        return ",".join(map(str, p)) if isinstance(p, list) else p
    return {f"{r['transaction_hash']}:{path(r)}": (addr(r["from_address"]),
                                                   addr(r["to_address"]), str(num(r["value"])))
            for r in traces if r["trace_type"] != "reward" and path(r) and num(r["value"])
            and num(r["status"]) == 1 and (r["call_type"] or "call") not in NO_VALUE}


def test_blocks_and_transactions_exports(graph: Graph, etl: Path) -> None:
    wipe(graph)
    folder = etl / "test_export_blocks_job"  # CSV, and CSV + JSON of the same two blocks
    summary = load(graph, folder)
    check_transactions(graph, rows_of(folder, "transactions"))
    blocks = nodes(graph, "EthBlock", "number")
    want = rows_of(folder, "blocks")
    assert summary["blocks_loaded"] == len(blocks) == len(want) == 6
    txs = rows_of(folder, "transactions")
    for e in want:
        b = blocks[num(e["number"])]
        assert (b["hash"], b["parent_hash"], b["time"], b["miner"], b["tx_count"],
                b.get("base_fee_per_gas")) == (
            e["hash"], e["parent_hash"], num(e["timestamp"]), e["miner"],
            num(e["transaction_count"]), num(e["base_fee_per_gas"]))
        assert b["output_value"] == str(sum(num(t["value"]) or 0 for t in txs
                                            if num(t["block_number"]) == num(e["number"])))
    # post-Shanghai withdrawals (in gwei) credit their recipients
    w = transfers(graph, "withdrawal")
    assert len(w) == 32 and all(t["from"] == ZERO_ADDRESS for t in w.values())
    assert w["17173049:withdrawal:2210752"]["value"] == str(45762059 * 10**9)
    # no receipts: every transaction's success and fee are unknown, and the summary says so
    # (the load logs a warning for each)
    assert summary["counts"]["status_unknown"] == summary["counts"]["fee_unknown"] == len(
        {t["hash"] for t in txs})


def test_stream_exports_with_receipts_logs_traces_and_tokens(graph: Graph, etl: Path) -> None:
    wipe(graph)
    folder = etl / "test_stream"
    summary = load(graph, folder)
    txs = rows_of(folder, "transactions")
    check_transactions(graph, txs)
    logs = rows_of(folder, "logs")
    skip = erc721_keys(logs)
    assert len(skip) == 9 and summary["counts"]["erc721_skipped"] == 9
    check_token_transfers(graph, rows_of(folder, "token_transfers"), skip)
    traces = rows_of(folder, "traces")
    assert {k: v for k, v in ((i, (t["from"], t["to"], t["value"]))
                              for i, t in transfers(graph, "internal").items())} \
        == internal_of_rows(traces)
    # blocks exported as traces only: a successful top-level call is its transaction's value,
    # and each top-level call's transaction is known, with the trace's status
    hashes = {e["hash"] for e in txs}
    assert set(nodes(graph, "EthTransaction", "hash")) - hashes == {
        r["transaction_hash"] for r in traces
        if r["transaction_hash"] and not r["trace_address"]} - hashes != set()
    assert {i: (t["from"], t["to"], t["value"]) for i, t in transfers(graph, "native").items()
            if i not in hashes} == {
        r["transaction_hash"]: (addr(r["from_address"]), addr(r["to_address"]),
                                str(num(r["value"])))
        for r in traces if r["transaction_hash"] and not r["trace_address"]
        and num(r["value"]) and not r["error"] and num(r["status"]) != 0} != {}
    assert sorted((t["to"], t["value"]) for t in transfers(graph, "reward").values()) == sorted(
        (addr(r["to_address"]), str(num(r["value"]))) for r in traces
        if r["trace_type"] == "reward")
    # fees: each transaction's gas_used * effective price, the base fee part burnt
    booked = fees(graph)
    blocks = nodes(graph, "EthBlock", "number")
    assert transfers(graph, "fee") == {} and len(booked) == len(txs)
    for e in txs:
        fee = num(e["receipt_gas_used"]) * num(e["receipt_effective_gas_price"])
        b = blocks[num(e["block_number"])]
        burnt = num(e["receipt_gas_used"]) * (b.get("base_fee_per_gas") or 0)
        assert booked[e["hash"]] == {"from": addr(e["from_address"]), "miner": b["miner"],
                                     "fee_paid": fee, "tip": fee - burnt, "burnt": burnt}
    # tokens and contracts
    accounts = nodes(graph, "Account", "address")
    for t in rows_of(folder, "tokens"):
        a = accounts[t["address"]]  # an empty symbol or name is unknown (None)
        assert (a["kind"], a.get("symbol"), a.get("name"), a["decimals"]) == (
            "contract", t["symbol"] or None, t["name"] or None, t["decimals"])
    for c in rows_of(folder, "contracts"):
        assert accounts[c["address"]]["kind"] == "contract"
    for e in txs:
        assert accounts[e["from_address"]]["kind"] == "eoa"
    lookup = graph.read("lookup/block", {"height": 17173049, "chain": "ethereum"})[0]
    assert lookup["token_transfer_count"] == sum(  # ERC-20 only
        1 for e in rows_of(folder, "token_transfers") if e["block_number"] == 17173049
        and (e["transaction_hash"], e["log_index"]) not in skip) == 106


def test_receipts_logs_and_token_transfers_of_one_block(graph: Graph, etl: Path) -> None:
    wipe(graph)
    folders = [etl / "test_export_blocks_job/block_with_logs",
               etl / "test_export_receipts_job/receipts_with_logs",
               etl / "test_export_token_transfers_job/block_with_transfers"]
    load(graph, *folders)
    check_token_transfers(graph, rows_of(folders[2], "token_transfers"))
    receipts = {r["transaction_hash"]: r for r in rows_of(folders[1], "receipts")}
    miner = rows_of(folders[0], "blocks")[0]["miner"]
    assert {h: (f["from"], f["miner"], f["fee_paid"], f["tip"])
            for h, f in fees(graph).items()} == {
        h: (addr(tx["from_address"]), miner, fee, fee)  # before London: no burn
        for h, tx, fee in ((t["hash"], t, num(receipts[t["hash"]]["gas_used"])
                            * num(receipts[t["hash"]]["effective_gas_price"]))
                           for t in rows_of(folders[0], "transactions"))}
    # the logs export gives the same token transfers as the token_transfers export
    wipe(graph)
    load(graph, etl / "test_extract_token_transfers_job/logs/logs.csv")
    check_token_transfers(
        graph, expected(etl / "test_extract_token_transfers_job/logs/expected_token_transfers.csv"))


def test_trace_exports(graph: Graph, etl: Path) -> None:
    wipe(graph)
    folder = etl / "test_export_traces_job"
    load(graph, folder)
    traces = rows_of(folder, "traces")
    got = {i: (t["from"], t["to"], t["value"]) for i, t in transfers(graph, "internal").items()}
    assert got == internal_of_rows(traces) and len(got) == 1  # the self-destruct
    assert len(transfers(graph, "reward")) == 4


def test_loading_again_changes_nothing_and_order_does_not_matter(
        graph: Graph, etl: Path) -> None:
    wipe(graph)
    folder = etl / "test_stream"
    load(graph, folder)
    first = graph_fingerprint(graph)
    again = load(graph, folder)
    assert (again["blocks_loaded"], again["blocks_skipped"], again["transfers"]) == (0, 6, 0)
    assert graph_fingerprint(graph) == first
    wipe(graph)
    files = sorted(p for p in folder.rglob("expected_*.json"))
    load(graph, *reversed(files))
    assert graph_fingerprint(graph) == first
    wipe(graph)  # MERGE instead of CREATE for new blocks: the same graph
    load(graph, folder, create_new=False)
    assert graph_fingerprint(graph) == first


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eth-chain")
    generate(out, transfers=3000, seed=7)
    return out


@pytest.fixture(scope="module")
def chain_fingerprint(graph: Graph, chain: Path) -> dict[str, object]:
    wipe(graph)
    load(graph, chain)
    return graph_fingerprint(graph)


def test_generated_chain_balances_are_exact(graph: Graph, chain: Path,
                                            chain_fingerprint: dict[str, object]) -> None:
    truth = json.loads((chain / "truth.json").read_text())
    assert graph_fingerprint(graph) == chain_fingerprint
    assert len(transfers(graph, "native")) == truth["counts"]["native"]
    assert len(transfers(graph, "erc20")) == truth["counts"]["erc20"]
    assert len(transfers(graph, "internal")) == truth["counts"]["internal"]
    accounts = sorted({a for b in truth["balances"].values() for a in b})
    assert len(accounts) > 500
    for a in [*accounts[::max(1, len(accounts) // 150)], ZERO_ADDRESS]:
        (row,) = graph.read("lookup/address", {"address": a, "chain": "ethereum"})
        got = {r["asset"]: r["balance"] for r in row["balances"] if r["balance"] != "0"}
        assert got == {asset: b[a] for asset, b in truth["balances"].items() if a in b}, a


def test_traces_loaded_later_complete_the_blocks(graph: Graph, chain: Path, tmp_path: Path,
                                                 chain_fingerprint: dict[str, object]) -> None:
    wipe(graph)
    rest = [p for p in chain.glob("*.csv") if p.name != "traces.csv"]
    load(graph, *rest)
    assert transfers(graph, "internal") == {}
    summary = load(graph, chain / "traces.csv")
    assert summary["blocks_loaded"] > 0 and summary["counts"]["internal"] > 0
    assert graph_fingerprint(graph) == chain_fingerprint
    assert load(graph, chain)["blocks_loaded"] == 0  # every part of every block is there


def test_traces_loaded_first_get_their_blocks_time_later(
        graph: Graph, chain: Path, chain_fingerprint: dict[str, object]) -> None:
    """Traces alone have no block time: the internal transfers they write get it when the
    block's export comes later, so the graph is the one a single load makes."""
    wipe(graph)
    load(graph, chain / "traces.csv")
    internal = transfers(graph, "internal")
    assert len(internal) > 10 and all(t.get("time") is None for t in internal.values())
    load(graph, *[p for p in chain.glob("*.csv") if p.name != "traces.csv"])
    assert all(t["time"] is not None for t in transfers(graph, "internal").values())
    assert graph_fingerprint(graph) == chain_fingerprint


@pytest.mark.parametrize("order", [
    ("transactions", "blocks", "receipts", "token_transfers", "traces"),
    ("receipts", "traces", "token_transfers", "transactions", "blocks"),
    ("blocks", "receipts", "traces", "transactions", "token_transfers"),
])
def test_each_export_in_a_run_of_its_own_gives_the_graph_of_one_run(
        graph: Graph, chain: Path, chain_fingerprint: dict[str, object],
        order: tuple[str, ...]) -> None:
    """A block's exports given one per run, in any order: the fee a transaction paid needs
    its sender and price (transactions), its gas used (receipts) and the block's miner and
    base fee (blocks); whichever run brings the last of them books it, from what the graph
    holds, so the balances are those of one run."""
    wipe(graph)
    for kind in order:
        load(graph, chain / f"{kind}.csv")
    assert graph_fingerprint(graph) == chain_fingerprint
    assert load(graph, chain)["blocks_loaded"] == 0


@pytest.mark.parametrize("order", [
    ("blocks", "transactions", "logs", "token_transfers", "traces", "tokens", "contracts"),
    ("tokens", "contracts", "token_transfers", "logs", "traces", "transactions", "blocks"),
])
def test_real_exports_one_per_run_give_the_graph_of_one_run(
        graph: Graph, etl: Path, order: tuple[str, ...]) -> None:
    """ethereum-etl's stream exports, one kind per run: the same transfers, transactions and
    blocks as one run. A token_transfers export after the logs adds none of its ERC-721
    transfers; before them, the logs remove those, and only the accounts that nothing but
    an ERC-721 transfer named stay, with no transfer (see docs/ethereum.md)."""
    files = sorted((etl / "test_stream").rglob("expected_*.json"))
    wipe(graph)
    load(graph, *files)
    one = graph_fingerprint(graph)
    wipe(graph)
    for kind in order:
        load(graph, *[f for f in files if f.name == f"expected_{kind}.json"])
    split = graph_fingerprint(graph)
    with graph.driver.session(database=graph.database) as s:
        idle = {r["a"] for r in s.run("MATCH (a:Account) WHERE NOT (a)--() "
                                      "RETURN a.address AS a")}
    assert split["rels"] == one["rels"]
    if order.index("logs") < order.index("token_transfers"):
        assert split == one
    else:
        one_only = set(one["nodes"]) - set(split["nodes"])
        split_only = set(split["nodes"]) - set(one["nodes"])
        assert 0 < len(split_only) < 10
        assert all("['Account']" in n and any(repr(a) in n for a in idle)
                   for n in one_only | split_only)


def test_a_failed_transaction_known_from_its_trace_moves_nothing_later(
        graph: Graph, etl: Path, tmp_path: Path) -> None:
    """Traces first, then a transactions export without receipts (no status in it): the
    transaction whose top-level call failed ("Out of gas") still moves no value and keeps
    status 0; the one that succeeded moves its value once."""
    traces = etl / "test_export_traces_job" / "block_with_error" / "expected_traces.csv"
    with traces.open() as f:
        top = [r for r in csv.DictReader(f) if r["trace_address"] == "" and r["transaction_hash"]]
    failed = {r["transaction_hash"] for r in top if r["status"] == "0"}
    ok = {r["transaction_hash"]: r["value"] for r in top if r["status"] == "1"}
    assert failed and ok and all(int(r["value"]) > 0 for r in top)
    txs = tmp_path / "transactions.csv"  # as the export gives them (nonce, gas, price made up)
    with txs.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["hash", "nonce", "block_hash", "block_number", "transaction_index",
                    "from_address", "to_address", "value", "gas", "gas_price", "input",
                    "block_timestamp", "max_fee_per_gas", "max_priority_fee_per_gas",
                    "transaction_type"])
        for i, r in enumerate(top):
            w.writerow([r["transaction_hash"], i, "0x" + "77" * 32, r["block_number"],
                        r["transaction_index"], r["from_address"], r["to_address"], r["value"],
                        21000, 50 * 10**9, "0x", 1455405000, "", "", 0])
    wipe(graph)
    load(graph, traces)
    load(graph, txs)
    native = transfers(graph, "native")
    assert {h: t["value"] for h, t in native.items()} == ok
    with graph.driver.session(database=graph.database) as s:
        status = s.run("MATCH (t:EthTransaction) RETURN t.hash AS h, t.status AS s").data()
    assert {r["h"]: r["s"] for r in status} == {**{h: 0 for h in failed}, **{h: 1 for h in ok}}


def test_traces_alone_carry_their_transactions_values(graph: Graph, chain: Path) -> None:
    """Traces loaded without the transactions export: a successful transaction's top-level
    call is its native transfer, with the id, parties and amount the export gives; the export
    loaded afterwards writes none twice."""
    wipe(graph)
    load(graph, chain)
    full = transfers(graph, "native")
    with (chain / "traces.csv").open() as f:
        expected_ids = {r["transaction_hash"] for r in csv.DictReader(f)
                        if r["trace_address"] == "" and int(r["value"]) > 0
                        and not r["error"] and r["status"] == "1"}
    assert len(expected_ids) > 10
    wipe(graph)
    load(graph, chain / "traces.csv")
    alone = transfers(graph, "native")

    def key(t: dict[str, Any]) -> tuple[Any, ...]:
        return t["from"], t["to"], t["value"], t["seq"], t["tx_hash"]

    assert set(alone) == expected_ids
    assert {i: key(t) for i, t in alone.items()} == {i: key(full[i]) for i in expected_ids}
    load(graph, *[p for p in chain.glob("*.csv") if p.name != "traces.csv"])
    assert transfers(graph, "native") == full  # none twice, each as the export alone gives it


def test_sigkill_and_resume_gives_the_same_graph(
    graph: Graph, chain: Path, cli_env: dict[str, str], chain_fingerprint: dict[str, object],
) -> None:
    truth = json.loads((chain / "truth.json").read_text())
    numbers = list(range(truth["first_block"], truth["first_block"] + truth["blocks"]))
    wipe(graph)
    proc = subprocess.Popen([str(CLI), "load", "ethereum", "--batch-transfers", "1",
                             str(chain)], env=cli_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(graph.read("load/ethereum/loaded_blocks", {"numbers": numbers})) >= 3:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    partial = len(graph.read("load/ethereum/loaded_blocks", {"numbers": numbers}))
    assert 3 <= partial < len(numbers)
    out = json.loads(run_cli(cli_env, "load", "ethereum", str(chain)).stdout)
    assert out["blocks_skipped"] == partial
    assert graph_fingerprint(graph) == chain_fingerprint


def test_malformed_row_names_file_and_line_and_writes_nothing_of_its_block(
        graph: Graph, chain: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    victim = 0
    for p in chain.glob("*.csv"):
        lines = p.read_text().splitlines()
        if p.name == "transactions.csv":
            victim = int(lines[200].split(",")[3])
            lines[200] = lines[200].replace(",0x,", ",0x,,", 1)  # one field too many
        (bad / p.name).write_text("\n".join(lines) + "\n")
    wipe(graph)
    proc = run_cli(cli_env, "load", "ethereum", str(bad), check=False)
    assert proc.returncode == 1
    assert f"bad input: {bad / 'transactions.csv'} line 201: 16 fields where the header has 15" \
        in proc.stderr.replace("\n", "")
    # the files run in block order, so they are read side by side: the blocks before the bad
    # row's block are committed, nothing of that block is
    loaded = [r["number"] for r in graph.read("load/ethereum/loaded_blocks",
                                              {"numbers": list(range(17_000_000, victim + 5))})]
    assert sorted(loaded) == list(range(17_000_000, victim))
    with graph.driver.session(database=graph.database) as s:
        assert s.run("MATCH ()-[t:TRANSFER]->() WHERE t.block >= $n RETURN count(t) AS n",
                     n=victim).single()["n"] == 0  # type: ignore[index]


def test_an_export_that_ends_without_a_line_end_is_said(
        graph: Graph, chain: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    """A copy cut short inside the last row: its block number, cut from 17000018 to 1700001,
    still parses (found by the bad-input review). ethereum-etl's own test exports end without
    a line end too, so it cannot be refused; the load says which file and line to check."""
    cut = tmp_path / "cut"
    cut.mkdir()
    for p in chain.glob("*.csv"):
        data = p.read_bytes()
        if p.name == "token_transfers.csv":  # the line end and the block number's last digit
            data = data.rstrip(b"\r\n")[:-1]
            assert data.endswith(b",1700001")
        (cut / p.name).write_bytes(data)
    last = (chain / "token_transfers.csv").read_text().splitlines()
    wipe(graph)
    proc = run_cli(cli_env, "load", "ethereum", str(cut))
    assert (f"{cut / 'token_transfers.csv'} line {len(last)}: the file ends without a line "
            "end after its last row") in proc.stderr.replace("\n", "")


def test_exports_out_of_block_order_are_read_whole(
        graph: Graph, chain: Path, tmp_path: Path, chain_fingerprint: dict[str, object],
        caplog: pytest.LogCaptureFixture) -> None:
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for p in chain.glob("*.csv"):
        header, *lines = p.read_text().splitlines()
        if p.name in ("transactions.csv", "traces.csv"):
            lines.reverse()
        (shuffled / p.name).write_text("\n".join([header, *lines]) + "\n")
    wipe(graph)
    with caplog.at_level("INFO"):
        load(graph, shuffled)
    assert "not in block order: reading every file whole" in caplog.text
    assert graph_fingerprint(graph) == chain_fingerprint


def test_an_inconsistent_block_is_not_written_and_those_before_it_are(
        graph: Graph, chain: Path, tmp_path: Path) -> None:
    truth = json.loads((chain / "truth.json").read_text())
    victim = truth["first_block"] + 5
    bad = tmp_path / "bad"
    bad.mkdir()
    for p in chain.glob("*.csv"):
        lines = p.read_text().splitlines()
        if p.name == "transactions.csv":  # drop one transaction of block `victim`
            drop = next(i for i, line in enumerate(lines) if f",{victim}," in line)
            del lines[drop]
        (bad / p.name).write_text("\n".join(lines) + "\n")
    wipe(graph)
    with pytest.raises(FormatError, match=rf"blocks.csv line \d+: block {victim} has \d+ "
                                          rf"transactions but \d+ were read"):
        EthereumLoader(graph, batch_transfers=1).load_files([bad])
    numbers = list(range(truth["first_block"], truth["first_block"] + truth["blocks"]))
    loaded = sorted(r["number"] for r in graph.read("load/ethereum/loaded_blocks",
                                                    {"numbers": numbers}))
    assert loaded == numbers[:5]
    with graph.driver.session(database=graph.database) as s:
        assert s.run("MATCH ()-[t:TRANSFER {block: $n}]->() RETURN count(t) AS n",
                     n=victim).single()["n"] == 0  # type: ignore[index]
        assert s.run("MATCH (t:EthTransaction {block_number: $n}) RETURN count(t) AS n",
                     n=victim).single()["n"] == 0  # type: ignore[index]


def test_cli_prints_a_summary(graph: Graph, etl: Path, cli_env: dict[str, str]) -> None:
    wipe(graph)
    out = run_cli(cli_env, "load", "ethereum",
                  str(etl / "test_stream/blocks_1755634_1755635"))
    summary = json.loads(out.stdout)
    assert (summary["blocks_loaded"], summary["txs"], summary["counts"]["erc20"]) == (2, 2, 1)
    missing = run_cli(cli_env, "load", "ethereum", "/nonexistent/x.csv", check=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_a_token_transfer_row_that_contradicts_its_log_is_refused(
        graph: Graph, etl: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    """A token_transfers row and the ERC-20 log it comes from must say the same transfer;
    one that says another value is a conflict naming both, not silently dropped."""
    src = etl / "test_stream/blocks_17173049_17173050"
    bad = tmp_path / "bad"
    bad.mkdir()
    for p in src.glob("*.json"):
        lines = p.read_text().splitlines()
        if p.name == "expected_token_transfers.json":
            row = json.loads(lines[5])
            row["value"] += 1
            lines[5] = json.dumps(row)
        (bad / p.name).write_text("\n".join(lines) + "\n")
    wipe(graph)
    proc = run_cli(cli_env, "load", "ethereum", str(bad), check=False)
    err = proc.stderr.replace("\n", "")
    assert proc.returncode == 1, err
    assert f"{bad / 'expected_token_transfers.json'} line 6: conflicts with the log at" in err


def test_erc721_transfers_of_a_token_transfers_export_go_when_their_logs_come(
        graph: Graph, etl: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A token_transfers export alone cannot tell an ERC-721 transfer (a token id) from an
    ERC-20 one: it is loaded, with a warning, and removed when the block's logs come, so the
    transfers are those both in one run give."""
    stream = etl / "test_stream/blocks_17173049_17173050"
    logs = [json.loads(x) for x in (stream / "expected_logs.json").read_text().splitlines()]
    four = {f"{lg['transaction_hash']}:{lg['log_index']}" for lg in logs
            if len(lg["topics"]) == 4 and lg["topics"][0] == TRANSFER_TOPIC}
    assert len(four) == 9
    wipe(graph)
    load(graph, stream)
    together = graph_fingerprint(graph)
    erc20 = set(transfers(graph, "erc20"))
    assert len(erc20) == 282 and not erc20 & four
    wipe(graph)
    with caplog.at_level(logging.WARNING):
        load(graph, stream / "expected_token_transfers.json")
    assert "token transfers loaded without their logs" in caplog.text
    assert set(transfers(graph, "erc20")) == erc20 | four
    load(graph, stream)
    assert set(transfers(graph, "erc20")) == erc20
    two_runs = graph_fingerprint(graph)
    assert two_runs["rels"] == together["rels"]
    # the NFTs' contracts and holders stay as accounts (they are on chain), nothing else
    extra = set(two_runs["nodes"]) - set(together["nodes"])
    assert set(together["nodes"]) - set(two_runs["nodes"]) <= {
        n.replace(", (\'kind\', \"\'contract\'\")", "") for n in extra}
    assert extra and all("[\'Account\']" in n for n in extra)


def test_parity_and_geth_traces_of_the_same_block_in_one_run(graph: Graph, etl: Path,
                                                             tmp_path: Path) -> None:
    """The same calls from both exports are read once (the graph parity's traces alone give);
    a geth trace that says another amount is a conflict naming both places."""
    parity = etl / "test_export_traces_job/block_with_subtraces/expected_traces.csv"
    geth = etl / "test_extract_geth_traces_job/block_with_subtraces/expected_traces.csv"
    wipe(graph)
    load(graph, parity)
    alone = graph_fingerprint(graph)
    assert transfers(graph)
    wipe(graph)
    load(graph, parity, geth)
    assert graph_fingerprint(graph) == alone
    lines = geth.read_text().splitlines()
    assert lines[3].split(",")[5] == "437194980000000000"
    lines[3] = lines[3].replace("437194980000000000", "437194980000000001")
    bad = tmp_path / "geth_traces.csv"
    bad.write_text("\n".join(lines) + "\n")
    wipe(graph)
    with pytest.raises(FormatError, match=f"{bad} line 4: conflicts with the trace at "
                                          f"{parity} line 4"):
        load(graph, parity, bad)
    assert transfers(graph) == {}
    # geth's self-destruct does not say its balance: parity's, which does, is kept
    suicide = "test_extract_geth_traces_job/block_with_suicide/expected_traces.csv"
    load(graph, etl / suicide.replace("extract_geth", "export"), etl / suicide)
    (one,) = transfers(graph, "internal").values()
    assert (one["value"], one["from"]) == ("50000000000000000",
                                           "0x474faa5018639791952fae334e2911700ac7fe9b")


def test_geth_traces_without_their_transactions_leave_the_block_open(
        graph: Graph, etl: Path) -> None:
    """geth's traces name a transaction by its index: without the transactions they cannot
    be used, so the block is not marked as traced and a later run's traces are loaded."""
    wipe(graph)
    first = load(graph, etl / "test_extract_geth_traces_job")
    assert first["counts"]["trace_without_tx"] > 0
    load(graph, etl / "test_export_traces_job")
    got = transfers(graph)
    wipe(graph)
    load(graph, etl / "test_export_traces_job")
    assert got == transfers(graph) != {}


def test_a_transaction_row_with_receipt_columns_completes_one_without(
        graph: Graph, etl: Path) -> None:
    """export_blocks' transactions and a stream export's (the same rows, plus the receipt
    columns) in one run: the receipt adds to the row, as when they are loaded in two runs."""
    plain = etl / "test_export_blocks_job/blocks_with_transactions_and_withdrawals"
    stream = etl / "test_stream/blocks_17173049_17173050"
    wipe(graph)
    load(graph, plain)
    load(graph, stream)
    two_runs = graph_fingerprint(graph)
    wipe(graph)
    load(graph, plain, stream)
    assert graph_fingerprint(graph) == two_runs
