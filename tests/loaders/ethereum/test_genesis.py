"""Genesis allocations: from ethereum-etl's `genesis` traces (and the DAO fork's `daofork`
ones) in an export, and from the node's `eth_getBalance` at block 0 in an RPC load, including
accounts first seen in later runs, a node without the old state, and a graph without block 0.

The RPC side runs the real loader and writes on hand-built blocks, with a node stand-in that
answers balances at block 0 and records what it was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from cypher.runner import Graph
from loaders.ethereum.address import ZERO_ADDRESS
from loaders.ethereum.load import EthereumLoader
from loaders.ethereum.model import BlockData, BlockHeader, Receipt, Transaction
from loaders.ethereum.rows import block_rows
from tests.helpers import graph_fingerprint
from tests.loaders.ethereum.conftest import transfers

pytestmark = pytest.mark.neo4j

A, B, D, E, F, M = ("0x" + c * 20 for c in ("aa", "bb", "dd", "ee", "ff", "99"))
T0 = 1_438_269_973  # block 0's time
ETHER = 10**18
TRACE_HEADER = ("block_number,transaction_hash,transaction_index,from_address,to_address,value,"
                "input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,"
                "trace_address,error,status,trace_id")
BLOCK_HEADER = ("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,"
                "state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,"
                "gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas")


def h(n: int) -> str:
    return "0x" + f"{n:064x}"


def block(number: int, *payments: tuple[str, str, int]) -> BlockData:
    """Block `number` (a second apart from block 0) with one transaction per payment; gas
    free, so balances are the payments alone."""
    txs = {h(number * 100 + i): Transaction(h(number * 100 + i), number, i, f, t, v, nonce=i,
                                            gas_price=0)
           for i, (f, t, v) in enumerate(payments)}
    receipts = {x: Receipt(x, t.transaction_index, number, 1, 21_000, 0, None)
                for x, t in txs.items()}
    header = BlockHeader(number, h(10**6 + number), h(10**6 + number - 1), T0 + number, M,
                         transaction_count=len(txs), gas_used=0)
    return BlockData(number, header=header, transactions=txs, receipts=receipts,
                     parts={"blocks", "transactions", "receipts", "logs"})


class Node:
    """Answers balances at block 0 like a node: None for what it cannot tell."""

    def __init__(self, genesis: dict[str, int | None], own: Sequence[str] = ()) -> None:
        self.genesis = genesis
        self.own = list(own)
        self.asked: list[str] = []

    def node_accounts(self) -> list[str]:
        return self.own

    def balances(self, addresses: Sequence[str]) -> dict[str, int | None]:
        self.asked += addresses
        return {a: self.genesis.get(a, 0) for a in addresses}


def load(graph: Graph, node: Node, *blocks: BlockData) -> dict[str, Any]:
    return EthereumLoader(graph).load_blocks(iter(blocks), genesis=node).as_dict()


def genesis(graph: Graph) -> dict[str, tuple[str, str, str, int, int, int | None]]:
    return {t["to"]: (t["id"], t["from"], t["value"], t["block"], t["seq"], t["time"])
            for t in transfers(graph, "genesis").values()}


def checked(graph: Graph) -> list[str]:
    with graph.driver.session(database=graph.database) as s:
        return [r["a"] for r in s.run("MATCH (a:Account) WHERE a.genesis_checked "
                                      "RETURN a.address AS a ORDER BY a")]


def allocation(address: str, value: int) -> tuple[str, str, str, int, int, int]:
    return (f"0:genesis:{address}", ZERO_ADDRESS, str(value), 0, 0, T0)


def test_the_node_is_asked_at_block_0_for_every_account_it_or_the_run_knows(
        empty_graph: Graph) -> None:
    g = empty_graph
    # D is one of the node's own accounts, funded at genesis, in no block yet
    node = Node({A: 100 * ETHER, D: 7, B: 0}, own=[D.upper().replace("0X", "0x")])
    summary = load(g, node, block(0), block(1, (A, B, 5)))
    assert sorted(node.asked) == sorted([A, B, D, M])
    assert genesis(g) == {A: allocation(A, 100 * ETHER), D: allocation(D, 7)}
    assert checked(g) == sorted([A, B, D, M])
    assert (summary["counts"]["genesis"], summary["transfers"]) == (2, 3)

    # a later run: only the account new to the graph is asked about
    node.asked.clear()
    load(g, node, block(2, (B, E, 1)))
    assert node.asked == [E]
    assert set(genesis(g)) == {A, D}  # E had nothing at genesis: checked, no transfer
    assert E in checked(g)
    node.genesis[F] = 2**200  # exact beyond 64 bits
    load(g, node, block(3, (A, F, 1)))
    assert genesis(g)[F] == allocation(F, 2**200)

    # the same blocks again: nothing asked, nothing changed
    before = graph_fingerprint(g)
    node.asked.clear()
    again = load(g, node, block(0), block(1, (A, B, 5)), block(2, (B, E, 1)), block(3, (A, F, 1)))
    assert node.asked == [] and again["blocks_skipped"] == 4
    assert graph_fingerprint(g) == before


def test_a_node_without_the_old_state_leaves_the_account_for_a_later_run(
        empty_graph: Graph) -> None:
    g = empty_graph
    load(g, Node({A: 3}), block(0), block(1, (A, B, 1)))
    pruned = Node({E: None, B: 9})  # B is checked already: never asked again
    summary = load(g, pruned, block(2, (B, E, 1)))
    assert summary["counts"] == {"genesis_unknown": 1, "native": 1}
    assert pruned.asked == [E] and E not in checked(g)
    archive = Node({E: 4})
    load(g, archive, block(2, (B, E, 1)))  # the same block again: E is asked again
    assert archive.asked == [E]
    assert genesis(g) == {A: allocation(A, 3), E: allocation(E, 4)}


def test_without_block_0_nothing_is_asked_and_block_0_loaded_later_checks_everyone(
        empty_graph: Graph) -> None:
    g = empty_graph
    node = Node({A: 11, B: 12, E: 13})
    load(g, node, block(5, (A, B, 1)))
    assert node.asked == [] and genesis(g) == {} and checked(g) == []
    # the run that first writes block 0 checks every account in the graph
    load(g, node, block(0), block(6, (M, E, 0)))
    assert sorted(node.asked) == sorted([A, B, E, M])
    assert genesis(g) == {A: allocation(A, 11), B: allocation(B, 12), E: allocation(E, 13)}


def test_without_a_node_an_rpc_style_load_writes_no_genesis(empty_graph: Graph) -> None:
    EthereumLoader(empty_graph).load_blocks(iter([block(0), block(1, (A, B, 1))]))
    assert genesis(empty_graph) == {} and checked(empty_graph) == []


def write_export(folder: Path) -> Path:
    folder.mkdir()
    (folder / "blocks.csv").write_text(
        BLOCK_HEADER + "\n" + f"0,{h(10**6)},{h(0)},0x42,,,,,,{ZERO_ADDRESS},17179869184,"
        f"17179869184,540,0x11bbe8db,5000,0,{T0},0,\n")
    placeholder = "0x000000000000000000000000000000000000000000000000000000000genesis"
    (folder / "traces.csv").write_text("\n".join([
        TRACE_HEADER,
        # newer ethereum-etl versions give a placeholder transaction hash; older ones none
        f"0,{placeholder},,,{A},{200 * ETHER},,,genesis,,,,,,,,1,genesis_{A}",
        f"0,,,,{B},{2**70},,,genesis,,,,,,,,1,genesis_{B}",
        f"1920000,,,{D},{E},12345,,,daofork,,,,,,,,1,daofork_{D}",
        f"1920000,,,{F},{E},1,,,daofork,,,,,,,,1,daofork_{F}",
    ]) + "\n")
    return folder


def test_genesis_and_dao_fork_traces_of_an_export(empty_graph: Graph, tmp_path: Path) -> None:
    g = empty_graph
    folder = write_export(tmp_path / "export")
    summary = EthereumLoader(g).load_files([folder]).as_dict()
    assert summary["counts"] == {"daofork": 2, "genesis": 2}
    assert genesis(g) == {A: allocation(A, 200 * ETHER), B: allocation(B, 2**70)}
    dao = {i: (t["kind"], t["from"], t["to"], t["value"], t["seq"], t.get("tx_index"))
           for i, t in transfers(g, "daofork").items()}
    assert dao == {f"1920000:daofork:{D}": ("daofork", D, E, "12345", 1920000 * 100_000, None),
                   f"1920000:daofork:{F}": ("daofork", F, E, "1", 1920000 * 100_000, None)}
    before = graph_fingerprint(g)
    EthereumLoader(g).load_files([folder])
    assert graph_fingerprint(g) == before
    # the node's answer for the same allocation is the same transfer, not a second one
    load(g, Node({A: 200 * ETHER}), block(1, (A, B, 1)))
    assert genesis(g)[A] == allocation(A, 200 * ETHER)
    assert len(transfers(g, "genesis")) == 2


def test_genesis_rows_are_pure() -> None:
    """Without a database: the transform of a block-0 trace is the allocation transfer."""
    from loaders.ethereum.model import Trace

    data = block(0)
    data.traces = [Trace(0, None, None, (), "genesis", None, None, A, 5, None, 1)]
    data.parts.add("traces")
    (t,) = block_rows(data).transfers
    assert (t["id"], t["kind"], t["from"], t["to"], t["value"], t["seq"], t["time"]) == (
        f"0:genesis:{A}", "genesis", ZERO_ADDRESS, A, "5", 0, T0)
