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
from loaders.ethereum.rows import TRANSFER_TOPIC


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


def fees(graph: Graph) -> dict[str, dict[str, Any]]:
    """The fees booked on transactions (the loader writes no fee transfers), by hash: from,
    miner, fee_paid, tip and burnt as integers."""
    with graph.driver.session(database=graph.database) as s:
        rows = s.run("MATCH (t:EthTransaction) WHERE t.fee_paid IS NOT NULL "
                     "RETURN t.hash AS h, t.`from` AS frm, t.miner AS miner, "
                     "t.fee_paid AS paid, t.tip AS tip, t.burnt AS burnt").data()
    return {r["h"]: {"from": r["frm"], "miner": r["miner"], "fee_paid": int(r["paid"]),
                     "tip": int(r["tip"]), "burnt": int(r["burnt"])} for r in rows}


def nodes(graph: Graph, label: str, key: str) -> dict[Any, dict[str, Any]]:
    with graph.driver.session(database=graph.database) as s:
        rows = s.run(f"MATCH (n:{label}) RETURN properties(n) AS p").data()
    return {r["p"][key]: r["p"] for r in rows}


def rows_of(folder: Path, kind: str) -> list[dict[str, Any]]:
    """Every expected_<kind> row under `folder` (JSON preferred where both formats exist)."""
    out = []
    for sub in sorted({p.parent for p in folder.rglob(f"expected_{kind}.*")}):
        f = sub / f"expected_{kind}.json"
        out += expected(f if f.exists() else sub / f"expected_{kind}.csv")
    return out


def check_transactions(graph: Graph, txs: list[dict[str, Any]]) -> None:
    got = nodes(graph, "EthTransaction", "hash")
    native = transfers(graph, "native")
    # the others are known from their top-level trace only: its status, nothing exported
    traced = set(got) - {e["hash"] for e in txs}
    assert len(got) - len(traced) == len(txs) > 0
    assert all(got[h].get("from") is None and got[h]["status"] in (0, 1) for h in traced)
    for e in txs:
        t = got[e["hash"]]
        status = num(e.get("receipt_status"))
        assert (t["block_number"], t["tx_index"], t["from"], t.get("to"), t["value"],
                t.get("gas_price"), t["nonce"]) == (
            num(e["block_number"]), num(e["transaction_index"]), addr(e["from_address"]),
            addr(e["to_address"]), str(num(e["value"])), str(num(e["gas_price"])),
            num(e["nonce"])), e["hash"]
        if status is not None:
            assert t["status"] == status
        if not e["to_address"]:  # a contract creation
            assert t["contract_address"] == (addr(e.get("receipt_contract_address"))
                                             or t["contract_address"]) is not None
        if num(e["value"]) and status != 0:
            n = native[e["hash"]]
            assert (n["from"], n["to"], n["value"], n["asset"], n["block"], n["tx_index"]) == (
                addr(e["from_address"]), addr(e["to_address"]) or t["contract_address"],
                str(num(e["value"])), "ETH", num(e["block_number"]),
                num(e["transaction_index"]))
        else:
            assert e["hash"] not in native  # no value, or a failed transaction: nothing moved
    hashes = {e["hash"] for e in txs}  # (other native transfers: blocks loaded from traces)
    assert sum(1 for h in native if h in hashes) == sum(
        1 for e in txs if num(e["value"]) and num(e.get("receipt_status")) != 0)


def erc721_keys(logs: list[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(e["transaction_hash"], num(e["log_index"])) for e in logs
            if len(e["topics"]) == 4 and e["topics"][0] == TRANSFER_TOPIC}


def check_token_transfers(graph: Graph, want: list[dict[str, Any]],
                          skip: set[tuple[str, int]] = frozenset()) -> None:  # type: ignore[assignment]
    got = transfers(graph, "erc20")
    want_by_id = {f"{e['transaction_hash']}:{num(e['log_index'])}": e for e in want
                  if (e["transaction_hash"], num(e["log_index"])) not in skip}
    assert set(got) == set(want_by_id) and got
    for i, e in want_by_id.items():
        g = got[i]
        assert (g["asset"], g["from"], g["to"], g["value"], g["block"]) == (
            addr(e["token_address"]), addr(e["from_address"]), addr(e["to_address"]),
            str(num(e["value"])), num(e["block_number"])), i
