"""`chaintrail load ethereum-rpc` against ethereum-etl's recorded JSON-RPC answers, replayed by
a local HTTP server (tests/loaders/ethereum/replay.py).

Blocks recorded with full transactions and every receipt: 0, 483920 (its four receipts come
from the receipts job) and 1755634-1755635 (stream job). They must give the transactions,
transfers and token transfers of the expected exports beside the recordings, and the same
transfers as the same blocks loaded from those exports.

The trace recordings (trace_block and geth's debug_traceBlockByNumber for blocks 1000000,
1000690, 1000895 and 1011973) come without their blocks; the blocks and receipts those tests
serve are built from the top-level traces (the transactions' hash, sender, recipient and
value; fees zero). They check which trace method the loader picks, in which order it falls
back, and what each gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chaintrail.errors import InputError
from cypher.runner import Graph
from loaders.ethereum.load import EthereumLoader
from loaders.ethereum.rpc import STRUCT_LOG_OPTIONS, EthereumRpcSource, EthRpc, token_fetcher
from tests.helpers import run_cli, wipe
from tests.loaders.ethereum.conftest import (
    addr,
    check_token_transfers,
    check_transactions,
    expected,
    fees,
    nodes,
    num,
    rows_of,
    transfers,
)
from tests.loaders.ethereum.replay import ReplayNode, recorded, replay_node, request_key

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

RANGES = ((0, 0), (483920, 483920), (1755634, 1755635))
TRACED = ("block_with_create", "block_with_error", "block_with_subtraces", "block_with_suicide")


@pytest.fixture(scope="module")
def answers(etl: Path) -> dict[str, Any]:
    return recorded(etl)


@pytest.fixture
def node(answers: dict[str, Any]) -> Iterator[ReplayNode]:
    with replay_node(answers) as n:
        yield n


def load_rpc(graph: Graph, url: str, lo: int, hi: int) -> tuple[dict[str, Any], str | None]:
    rpc = EthRpc(url)
    try:
        source = EthereumRpcSource(rpc)
        summary = EthereumLoader(graph).load_blocks(source.blocks(lo, hi),
                                                    tokens=token_fetcher(rpc))
        return summary.as_dict(), source.trace_method
    finally:
        rpc.close()


def expected_txs(etl: Path) -> list[dict[str, Any]]:
    return (rows_of(etl / "test_export_blocks_job/block_with_logs", "transactions")
            + rows_of(etl / "test_stream/blocks_1755634_1755635", "transactions"))


def test_rpc_load_matches_the_expected_exports(
        node: ReplayNode, etl: Path, graph: Graph, cli_env: dict[str, str]) -> None:
    wipe(graph)
    for lo, hi in RANGES:
        out = run_cli(cli_env, "load", "ethereum-rpc", "--url", node.url, "--from", str(lo),
                      "--to", str(hi))
        # block 0's trace_block answer was recorded (an empty list); the others' were not
        method = "trace_block" if lo == 0 else "none"
        assert json.loads(out.stdout)["trace_method"] == method
        assert lo == 0 or "offers no tracing" in out.stderr
    check_transactions(graph, expected_txs(etl))
    check_token_transfers(
        graph, rows_of(etl / "test_export_token_transfers_job", "token_transfers")
        + rows_of(etl / "test_stream/blocks_1755634_1755635", "token_transfers"))
    blocks = nodes(graph, "EthBlock", "number")
    want = (rows_of(etl / "test_export_blocks_job/block_with_logs", "blocks")
            + rows_of(etl / "test_export_blocks_job/block_without_transactions", "blocks")
            + rows_of(etl / "test_stream/blocks_1755634_1755635", "blocks"))
    assert sorted(blocks) == sorted(num(e["number"]) for e in want) == [0, 483920, 1755634,
                                                                         1755635]
    for e in want:
        b = blocks[num(e["number"])]
        assert (b["hash"], b["parent_hash"], b["time"], b["miner"], b["tx_count"]) == (
            e["hash"], e["parent_hash"], num(e["timestamp"]), e["miner"],
            num(e["transaction_count"]))
    # fees from the receipts: gas used times the effective price, all to the miner (2015-16)
    receipts = {r["transaction_hash"]: r for r in rows_of(
        etl / "test_export_receipts_job", "receipts")}
    receipts.update({t["hash"]: {"gas_used": t["receipt_gas_used"],
                                 "effective_gas_price": t["receipt_effective_gas_price"]}
                     for t in rows_of(etl / "test_stream/blocks_1755634_1755635",
                                      "transactions")})
    booked = fees(graph)
    for e in expected_txs(etl):
        r = receipts[e["hash"]]
        f = booked[e["hash"]]
        paid = num(r["gas_used"]) * num(r["effective_gas_price"])
        assert (f["from"], f["miner"], f["fee_paid"], f["tip"], f["burnt"]) == (
            addr(e["from_address"]), blocks[num(e["block_number"])]["miner"], paid, paid, 0)
    # receipts: one eth_getBlockReceipts probe per run with transactions (two), then one
    # receipt call per transaction
    assert sum(c.startswith("eth_getBlockReceipts") for c in node.calls) == 2
    assert sum(c.startswith("eth_getTransactionReceipt") for c in node.calls) == 6
    # token contracts were asked for symbol/name/decimals; they were not recorded: unknown
    tokens = nodes(graph, "Token", "address")
    assert sorted(tokens) == ["0xbb9bc244d798123fde783fcc1c72d3bb8c189413",
                              "0xf4eced2f682ce333f96f2d8966c613ded8fc95dd"]
    assert all(t.get("symbol") is None for t in tokens.values())


def test_rpc_and_files_give_the_same_transfers(node: ReplayNode, etl: Path,
                                                graph: Graph) -> None:
    wipe(graph)
    for lo, hi in RANGES:
        load_rpc(graph, node.url, lo, hi)
    from_rpc, fees_rpc = transfers(graph), fees(graph)
    assert (len(from_rpc), len(fees_rpc)) == (6, 6)
    wipe(graph)
    EthereumLoader(graph).load_files([
        etl / "test_export_blocks_job/block_with_logs",
        etl / "test_export_blocks_job/block_without_transactions",
        etl / "test_export_receipts_job/receipts_with_logs",
        etl / "test_stream/blocks_1755634_1755635"])
    assert (transfers(graph), fees(graph)) == (from_rpc, fees_rpc)


def test_an_rpc_error_for_one_block_writes_nothing_of_it(
        node: ReplayNode, graph: Graph, cli_env: dict[str, str]) -> None:
    bad_tx = "0x2e3dcd051a91d3a694f6b8de2ac4b5fe7acdba55f58bcf8471ff00d4a430074d"  # 1755635
    node.fail.add(request_key("eth_getTransactionReceipt", [bad_tx]))
    wipe(graph)
    proc = run_cli(cli_env, "load", "ethereum-rpc", "--url", node.url, "--from", "1755634",
                   "--to", "1755635", check=False)
    assert proc.returncode == 1
    err = proc.stderr.replace("\n", "")
    assert "block 1755635" in err and "eth_getTransactionReceipt" in err
    assert sorted(nodes(graph, "EthBlock", "number")) == [1755634]
    assert bad_tx not in nodes(graph, "EthTransaction", "hash")
    assert all(t["block"] == 1755634 for t in transfers(graph).values())
    with pytest.raises(InputError, match=r"block 5: eth_getBlockByNumber: node error"):
        load_rpc(graph, node.url, 5, 5)
    down = run_cli(cli_env, "load", "ethereum-rpc", "--url", "http://127.0.0.1:9/",
                   "--from", "1", "--to", "1", check=False)
    assert down.returncode == 1 and "unreachable" in down.stderr


def test_a_node_without_batches_is_called_one_request_at_a_time(
        answers: dict[str, Any], graph: Graph) -> None:
    wipe(graph)
    with replay_node(answers) as n:
        load_rpc(graph, n.url, 483920, 483920)
    with_batches = transfers(graph), fees(graph)
    wipe(graph)
    with replay_node(answers, batches=False) as n:
        load_rpc(graph, n.url, 483920, 483920)
    assert (transfers(graph), fees(graph)) == with_batches
    assert (len(with_batches[0]), len(with_batches[1])) == (4, 4)


# -- trace methods, on blocks built from the trace recordings ----------------------------------
def traced_answers(etl: Path, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Recorded trace answers plus blocks and receipts built from their top-level traces;
    and the expected traces by block."""
    out = dict(answers)
    want: dict[str, Any] = {}
    for name in TRACED:
        folder = etl / "test_export_traces_job" / name
        (f,) = folder.glob("web3_response.trace_block_*.json")
        traces = json.loads(f.read_text())["result"]
        number = traces[0]["blockNumber"]
        want[name] = expected(folder / "expected_traces.csv")
        author = next(t["action"]["author"] for t in traces if t["type"] == "reward")
        txs, receipts = [], {}
        for t in traces:
            if t["type"] not in ("call", "create") or t["traceAddress"]:
                continue
            a = t["action"]
            created = (t.get("result") or {}).get("address") if t["type"] == "create" else None
            tx = {"hash": t["transactionHash"], "from": a["from"],
                  "to": a.get("to") if t["type"] == "call" else None, "value": a["value"],
                  "nonce": "0x0", "transactionIndex": hex(t["transactionPosition"]),
                  "gas": a["gas"], "gasPrice": "0x0"}
            txs.append(tx)
            receipts[t["transactionHash"]] = {
                "transactionHash": t["transactionHash"], "transactionIndex": tx["transactionIndex"],
                "status": None, "gasUsed": "0x0", "effectiveGasPrice": "0x0",
                "contractAddress": created, "logs": []}
        out[request_key("eth_getBlockByNumber", [hex(number), True])] = {
            "number": hex(number), "hash": traces[0]["blockHash"], "parentHash": "0x" + "00" * 32,
            "timestamp": hex(1_455_000_000 + number), "miner": author, "gasUsed": "0x0",
            "transactions": txs}
        for h, r in receipts.items():
            out[request_key("eth_getTransactionReceipt", [h])] = r
    return out, want


def block_numbers(want: dict[str, Any]) -> list[int]:
    return sorted(num(rows[0]["block_number"]) or 0 for rows in want.values())


def internal_expected(want: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {f"{r['transaction_hash']}:{r['trace_address']}":
            (addr(r["from_address"]), addr(r["to_address"]), str(num(r["value"])))
            for rows in want.values() for r in rows
            if r["trace_type"] != "reward" and r["trace_address"] and num(r["value"])
            and r["status"] == "1"
            and r["call_type"] not in ("delegatecall", "callcode", "staticcall")}


def load_traced(graph: Graph, url: str, numbers: list[int]) -> tuple[dict[str, Any], Any]:
    wipe(graph)
    rpc = EthRpc(url)
    try:
        source = EthereumRpcSource(rpc)
        loader = EthereumLoader(graph)
        summary = loader.load_blocks(iter([source.block(n) for n in numbers]))
        return summary.as_dict(), source.trace_method
    finally:
        rpc.close()


def test_trace_block_is_used_first_and_gives_internal_transfers_and_rewards(
        etl: Path, answers: dict[str, Any], graph: Graph) -> None:
    served, want = traced_answers(etl, answers)
    with replay_node(served) as n:
        _, method = load_traced(graph, n.url, block_numbers(want))
        assert not any(c.startswith("debug_") for c in n.calls)
    assert method == "trace_block"
    got = {i: (t["from"], t["to"], t["value"]) for i, t in transfers(graph, "internal").items()}
    assert got == internal_expected(want) and len(got) == 1  # the self-destruct
    rewards = sorted((t["to"], t["value"]) for t in transfers(graph, "reward").values())
    assert rewards == sorted((addr(r["to_address"]), str(num(r["value"])))
                             for rows in want.values() for r in rows
                             if r["trace_type"] == "reward")
    # the out-of-gas call failed (its receipt, from before Byzantium, has no status)
    failed = "0xa2f089480e6fd907e786a88d928ba20feeca2ca37ffa84c2d54bae42f5d989c9"
    assert nodes(graph, "EthTransaction", "hash")[failed]["status"] == 0
    assert failed not in transfers(graph, "native")


def test_without_trace_block_the_geth_call_tracer_is_used(
        etl: Path, answers: dict[str, Any], graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    served, want = traced_answers(etl, answers)
    served = {k: v for k, v in served.items() if not k.startswith("trace_block")}
    with replay_node(served) as n, caplog.at_level("INFO"):
        summary, method = load_traced(graph, n.url, block_numbers(want))
    assert method == "debug_traceBlockByNumber"
    assert "internal transfers from debug_traceBlockByNumber" in caplog.text
    # this geth reports the self-destruct without its amount: counted, not invented
    assert transfers(graph, "internal") == {} and summary["counts"]["internal_unknown"] == 1
    assert transfers(graph, "reward") == {}  # geth's tracers have no rewards
    failed = "0xa2f089480e6fd907e786a88d928ba20feeca2ca37ffa84c2d54bae42f5d989c9"
    assert nodes(graph, "EthTransaction", "hash")[failed]["status"] == 0


def test_struct_logs_are_the_last_resort(etl: Path, answers: dict[str, Any],
                                         graph: Graph) -> None:
    served, want = traced_answers(etl, answers)
    served = {k: v for k, v in served.items() if not k.startswith(("trace_block", "debug_"))}
    # block 1011973: one transaction calls 0x474f..., which self-destructs to its caller
    tx = "0x91acb43c5f141c393a189e091c190c9ffb20e4e8a502e4cc3087be9587bdbc89"
    contract, caller = ("0x474faa5018639791952fae334e2911700ac7fe9b",
                        "0x83973747eec131bf9a08ac64fb1a518e891bdf4b")
    served[request_key("debug_traceTransaction", [tx, STRUCT_LOG_OPTIONS])] = {
        "gas": 232, "failed": False, "returnValue": "", "structLogs": [
            {"pc": 0, "op": "PUSH20", "gas": 68000, "gasCost": 3, "depth": 1, "stack": []},
            {"pc": 21, "op": "SELFDESTRUCT", "gas": 67997, "gasCost": 0, "depth": 1,
             "stack": ["0x" + caller[2:].rjust(64, "0")]}]}
    # its balance before the block: what trace_block says the self-destruct sent
    served[request_key("eth_getBalance", [contract, hex(1011972)])] = "0xb1a2bc2ec50000"
    with replay_node(served) as n:
        _, method = load_traced(graph, n.url, [1011973])
        assert any(c.startswith("debug_traceTransaction") and c.endswith("tracer_calltracer")
                   for c in n.calls)  # the call tracer was tried first
    assert method == "debug_traceTransaction/structLogs"
    got = {i: (t["from"], t["to"], t["value"]) for i, t in transfers(graph, "internal").items()}
    assert got == {f"{tx}:0": (contract, caller, str(0xb1a2bc2ec50000))}
    assert got == {k: v for k, v in internal_expected(want).items() if k.startswith(tx)}


def test_no_tracing_at_all(etl: Path, answers: dict[str, Any], graph: Graph) -> None:
    served, want = traced_answers(etl, answers)
    served = {k: v for k, v in served.items() if not k.startswith(("trace_block", "debug_"))}
    with replay_node(served) as n:
        summary, method = load_traced(graph, n.url, block_numbers(want))
    assert method == "none"
    assert transfers(graph, "internal") == {} and summary["blocks_loaded"] == 4
    # Before Byzantium a receipt has no status: without traces, the out-of-gas call of
    # 1000895 cannot be told from a success, and its value counts as moved (status null).
    failed = "0xa2f089480e6fd907e786a88d928ba20feeca2ca37ffa84c2d54bae42f5d989c9"
    assert nodes(graph, "EthTransaction", "hash")[failed].get("status") is None
    assert failed in transfers(graph, "native") and len(transfers(graph, "native")) == 5
