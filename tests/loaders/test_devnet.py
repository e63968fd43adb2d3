"""A real local Ethereum node (ganache, from devnet/) running a scenario whose every value
movement is known (tests/ethnode.py). The first tests check that scenario against the node's own
answers (balances at every block, traces, logs), so that it is a verified oracle; the last loads
the node's blocks with `chaintrail load ethereum-rpc` and checks the graph against both."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cypher.runner import Graph
from tests import ethnode
from tests.ethnode import ETHER, GENESIS_BALANCE, EthNode, Scenario, Transfer
from tests.loaders.ethereum.conftest import fees

pytestmark = pytest.mark.skipif(ethnode.missing() is not None,
                                reason=ethnode.missing() or "")


@pytest.fixture(scope="module")
def contracts() -> dict[str, Any]:
    return ethnode.compile_contracts()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EthNode]:
    with EthNode(tmp_path_factory.mktemp("ganache")) as n:
        yield n


@pytest.fixture(scope="module")
def scenario(node: EthNode, contracts: dict[str, Any]) -> Scenario:
    return ethnode.run_scenario(node, contracts)


def test_node_starts_with_funded_deterministic_accounts(node: EthNode) -> None:
    genesis = node.block(0)
    assert genesis["transactions"] == []
    assert genesis["miner"] == ethnode.COINBASE
    accounts = node.accounts()
    # ganache's deterministic wallet: the same first account on every run
    assert accounts[0] == "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1"
    assert len(accounts) == ethnode.ACCOUNTS
    assert [node.balance(a, 0) for a in accounts] == [GENESIS_BALANCE] * ethnode.ACCOUNTS
    assert node.balance(ethnode.COINBASE, 0) == 0


def test_each_transaction_is_mined_in_its_own_block_a_second_apart(
        node: EthNode, scenario: Scenario) -> None:
    blocks = [node.block(n) for n in range(scenario.last_block + 1)]
    assert scenario.first_block == 1
    assert scenario.last_block == len(scenario.txs)
    assert [[t["hash"] for t in b["transactions"]] for b in blocks[1:]] == \
        [[h] for h in scenario.txs.values()]
    times = [int(b["timestamp"], 16) for b in blocks]
    assert [b - a for a, b in itertools.pairwise(times)] == [1] * scenario.last_block


def test_two_transactions_fail_mined_with_status_0(node: EthNode, scenario: Scenario) -> None:
    failing = [h for name, h in scenario.txs.items() if "(fails)" in name]
    assert len(failing) == 2
    assert scenario.failed() == failing
    for h in failing:
        r = scenario.receipts[h]
        assert r["logs"] == []
        number = int(r["blockNumber"], 16)
        sender = r["from"]
        # the sender pays the gas and nothing else: the value it sent did not move
        assert node.balance(sender, number) == node.balance(sender, number - 1) - scenario.fee(h)
    refused = node.rpc("eth_getTransactionByHash", failing[1])
    assert int(refused["value"], 16) == 750_000_000_000_000_000


def test_forward_is_a_call_with_value_in_the_struct_logs(node: EthNode,
                                                        scenario: Scenario) -> None:
    a, (f1, f2) = scenario.accounts, scenario.forwarders
    h = scenario.txs["eth a1->f1 forwarded to f2 and a4"]
    tx = node.rpc("eth_getTransactionByHash", h)
    calls = ethnode.traced_calls(node.trace(h), tx, scenario.receipts[h])
    assert [(c.depth, c.op, c.caller, c.callee, c.value, c.ok, c.moved) for c in calls] == [
        (1, "CALL", f1, f2, 2 * ETHER, True, True),
        (2, "CALL", f2, a[4], 2 * ETHER, True, True),
    ]


def test_reverted_calls_move_nothing_even_after_an_inner_success(
        node: EthNode, scenario: Scenario) -> None:
    a, (f1, f2) = scenario.accounts, scenario.forwarders

    def calls(name: str) -> list[tuple[str, str, int, bool, bool]]:
        h = scenario.txs[name]
        tx = node.rpc("eth_getTransactionByHash", h)
        return [(c.caller, c.callee, c.value, c.ok, c.moved)
                for c in ethnode.traced_calls(node.trace(h), tx, scenario.receipts[h])
                if c.value]

    assert calls("f1.tryCall(token): the inner call reverts, f1 keeps the ETH") == [
        (f1, scenario.token, ETHER // 2, False, False)]
    # f2 forwarded to a4 (that call succeeded), then reverted: the forward is undone too
    assert calls("f1.tryCall(f2.refuse()): f2 forwards to a4 then reverts, f1 keeps the ETH") == [
        (f1, f2, 300_000_000_000_000_000, False, False),
        (f2, a[4], 300_000_000_000_000_000, True, False)]
    # the whole transaction failed: its inner forward, successful in itself, moved nothing
    assert calls("f2.refuse() with value (fails)") == [
        (f2, a[4], 750_000_000_000_000_000, True, False)]


def test_internal_transfers_are_exactly_the_moved_calls_with_value(
        node: EthNode, scenario: Scenario) -> None:
    """The scenario's internal transfers, read back from every transaction's trace."""
    traced = []
    for h, receipt in scenario.receipts.items():
        tx = node.rpc("eth_getTransactionByHash", h)
        traced += [Transfer("internal", h, int(receipt["blockNumber"], 16), c.caller, c.callee,
                            c.value)
                   for c in ethnode.traced_calls(node.trace(h), tx, receipt)
                   if c.value and c.moved]
    assert traced == [t for t in scenario.transfers if t.kind == "internal"]
    assert len(traced) == 2


def test_token_transfers_are_exactly_the_logged_transfer_events(scenario: Scenario) -> None:
    logged = ethnode.logged_token_transfers(scenario)
    assert logged == [t for t in scenario.transfers if t.kind == "token"]
    # one from a contract (the Forwarder) in a transaction sent to that contract, not the token
    h = scenario.txs["f1.sendToken(a3): contract-to-contract token transfer"]
    assert [t.sender for t in logged if t.tx == h] == [scenario.forwarders[0]]
    assert scenario.receipts[h]["to"] == scenario.forwarders[0]


def test_token_metadata(scenario: Scenario) -> None:
    assert scenario.token_meta == {"name": "Chaintrail Test Token", "symbol": "CTT",
                                   "decimals": 6}


def test_eth_balances_at_every_block_are_what_the_scenario_implies(
        node: EthNode, scenario: Scenario) -> None:
    """Genesis allocation + transfers - gasUsed * effectiveGasPrice, the coinbase earning the
    priority fee, to the wei, at every block: the oracle the loaded graph is checked against."""
    for block in range(scenario.last_block + 1):
        expected = ethnode.expected_balances(node, scenario, block)
        assert {a: node.balance(a, block) for a in scenario.addresses} == expected, block
    final = ethnode.expected_balances(node, scenario, scenario.last_block)
    assert final[scenario.forwarders[0]] == 800_000_000_000_000_000  # kept from the tryCalls
    assert final[scenario.forwarders[1]] == 0
    assert final[scenario.coinbase] > 0


def test_base_fee_is_burnt(node: EthNode, scenario: Scenario) -> None:
    """London rules: the ETH held by every address falls by exactly sum(gasUsed * baseFee)."""
    burnt = sum(int(r["gasUsed"], 16) * int(node.block(int(r["blockNumber"], 16))
                                             ["baseFeePerGas"], 16)
                for r in scenario.receipts.values())
    assert burnt > 0

    def held(block: int) -> int:
        return sum(node.balance(a, block) for a in scenario.addresses)

    assert held(0) - held(scenario.last_block) == burnt


def test_token_balances_at_every_block_are_what_the_scenario_implies(
        node: EthNode, scenario: Scenario, contracts: dict[str, Any]) -> None:
    deployed = int(scenario.receipts[scenario.txs["deploy token"]]["blockNumber"], 16)
    assert node.call(scenario.token, "0x", deployed - 1) == b""  # no code yet: no answer
    for block in range(deployed, scenario.last_block + 1):
        expected = ethnode.expected_token_balances(scenario, block)
        expected.pop(ethnode.ZERO)  # the mint's source: no balance on the token
        got = {a: ethnode.token_balance(node, scenario.token, contracts["Token"], a, block)
               for a in scenario.addresses}
        assert got == expected, block
    assert ethnode.expected_token_balances(scenario, scenario.last_block)[
        scenario.forwarders[0]] == 3_000_000


def test_node_stops_with_its_process_group(tmp_path: Path) -> None:
    n = EthNode(tmp_path)
    n.start()
    assert n.proc is not None
    n.stop()
    assert n.proc.poll() is not None


# --- the Ethereum RPC loader against the node ---------------------------------------------------

def rpc_loader_missing() -> bool:
    """Whether `chaintrail load ethereum-rpc` is absent (the loader is written separately)."""
    from typer.main import get_command

    from chaintrail.cli.main import app

    load = get_command(app).commands["load"]  # type: ignore[attr-defined]
    return "ethereum-rpc" not in load.commands


# The loaded transfers (cypher/load/ethereum/transfers.cypher): a TRANSFER relationship between
# two accounts, with its kind, asset ("ETH" or the token contract's address), exact value (a
# decimal string) and transaction hash.
GRAPH_TRANSFERS = """
MATCH (a:Account)-[t:TRANSFER]->(b:Account)
RETURN t.kind AS kind, t.asset AS asset, a.address AS sender, b.address AS receiver,
       t.value AS value, t.tx_hash AS tx
"""
KINDS = {"native": "native", "internal": "internal", "token": "erc20"}


NOBODY = ""
"""The other party of a fee (gas paid: to no account; a tip: from none, the sender paid it)."""


def graph_transfers(graph: Graph) -> list[tuple[str, str, str, str, int, str | None]]:
    """The TRANSFER relationships, and the fees booked on the transactions as ('fee', sender
    -> NOBODY, what it paid) and ('tip', NOBODY -> miner, what the miner got), when not 0."""
    with graph.driver.session(database=graph.database) as s:
        rows = s.run(GRAPH_TRANSFERS).data()
    out = [(r["kind"], r["asset"], r["sender"], r["receiver"], int(r["value"]), r["tx"])
           for r in rows]
    for tx, f in fees(graph).items():
        out += [("fee", "ETH", f["from"], NOBODY, f["fee_paid"], tx),
                ("tip", "ETH", NOBODY, f["miner"], f["tip"], tx)]
    return sorted(t for t in out if t[4] > 0 or t[0] not in ("fee", "tip"))


def graph_balances(transfers: list[tuple[str, str, str, str, int, str | None]],
                   asset: str) -> dict[str, int]:
    balances: dict[str, int] = {}
    for _kind, a, sender, receiver, value, _tx in transfers:
        if a == asset:
            balances[sender] = balances.get(sender, 0) - value
            balances[receiver] = balances.get(receiver, 0) + value
    return balances


def check_balances(node: EthNode, scenario: Scenario, contracts: dict[str, Any],
                   graph: Graph, block: int) -> None:
    """Every address's ETH and token balance in the graph is the node's answer at `block`."""
    transfers = graph_transfers(graph)
    eth, tokens = graph_balances(transfers, "ETH"), graph_balances(transfers, scenario.token)
    at_node = {a: node.balance(a, block) for a in scenario.addresses}
    assert {a: eth.get(a, 0) for a in scenario.addresses} == at_node, block
    # the stored lookup's exact sums (transfers and fees) say the same
    assert {a: int(r[0]["balance"]) if (r := graph.read("lookup/address", {
        "address": a, "chain": "ethereum"})) else 0 for a in scenario.addresses} == at_node, block
    deployed = int(scenario.receipts[scenario.txs["deploy token"]]["blockNumber"], 16)
    if block >= deployed:
        assert {a: tokens.get(a, 0) for a in scenario.addresses} == {
            a: ethnode.token_balance(node, scenario.token, contracts["Token"], a, block)
            for a in scenario.addresses}, block


@pytest.mark.neo4j
@pytest.mark.skipif(rpc_loader_missing(), reason="Ethereum RPC loader not present yet "
                    "(`chaintrail load ethereum-rpc` is missing)")
def test_rpc_load_matches_the_node(node: EthNode, scenario: Scenario,
                                   contracts: dict[str, Any], empty_graph: Graph,
                                   cli_env: dict[str, str]) -> None:
    """Load the node's blocks in two runs, then again whole: every transfer is one the scenario
    made (failed transactions and reverted calls move nothing but their fee), and every balance,
    ETH to the wei and the token's, is what the node answers at the last block loaded."""
    from tests.helpers import run_cli

    middle, last = scenario.txs["deploy forwarder 2"], scenario.last_block
    split = int(scenario.receipts[middle]["blockNumber"], 16) - 1
    first = run_cli(cli_env, "load", "ethereum-rpc", "--url", node.url, "--from", "0",
                    "--to", str(split))
    assert "debug_traceTransaction" in first.stdout + first.stderr  # the tracer it used
    check_balances(node, scenario, contracts, empty_graph, split)
    run_cli(cli_env, "load", "ethereum-rpc", "--url", node.url, "--from", str(split + 1),
            "--to", str(last))
    loaded = graph_transfers(empty_graph)
    check_balances(node, scenario, contracts, empty_graph, last)
    run_cli(cli_env, "load", "ethereum-rpc", "--url", node.url, "--from", "0", "--to", str(last))
    assert graph_transfers(empty_graph) == loaded  # idempotent

    moved = sorted((KINDS[t.kind], t.token or "ETH", t.sender, t.receiver, t.value, t.tx)
                   for t in scenario.transfers)
    assert [t for t in loaded if t[0] in ("native", "internal", "erc20")] == moved
    expected_fees = []
    for h, r in scenario.receipts.items():
        base = int(node.block(int(r["blockNumber"], 16))["baseFeePerGas"], 16)
        gas, sender, price = int(r["gasUsed"], 16), r["from"].lower(), \
            int(r["effectiveGasPrice"], 16)
        expected_fees.append(("fee", "ETH", sender, NOBODY, gas * price, h))  # the base fee burnt
        expected_fees.append(("tip", "ETH", NOBODY, scenario.coinbase, gas * (price - base), h))
    assert [t for t in loaded if t[0] in ("fee", "tip")] == sorted(
        f for f in expected_fees if f[4] > 0)
    # anything else brings the genesis allocation, which no block's transactions show
    assert {t[0] for t in loaded} <= {"native", "internal", "erc20", "fee", "tip", "genesis"}

    with empty_graph.driver.session(database=empty_graph.database) as s:
        token = s.run("MATCH (t:Token {address: $a}) RETURN t.symbol AS symbol, t.name AS name, "
                      "t.decimals AS decimals", a=scenario.token).data()
        kinds = {r["a"]: r["kind"] for r in s.run(
            "MATCH (a:Account) WHERE a.address IN $addresses "
            "RETURN a.address AS a, a.kind AS kind", addresses=scenario.addresses)}
    assert token == [{"symbol": "CTT", "name": "Chaintrail Test Token", "decimals": 6}]
    assert kinds == {**dict.fromkeys(scenario.accounts, "eoa"),
                     **dict.fromkeys(scenario.contracts, "contract"),
                     scenario.coinbase: None}  # the miner here never sends: kind unknown
