"""Helpers shared by the tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from cypher.runner import Graph
from loaders.bitcoin.model import Block

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "data").resolve()
CLI = Path(sys.executable).parent / "chaintrail"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wipe(graph: Graph) -> None:
    with graph.driver.session(database=graph.database) as s:
        s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def run_cli(env: dict[str, str], *args: str, check: bool = True,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError(f"chaintrail {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def graph_fingerprint(graph: Graph,
                      ignore: tuple[str, ...] = ("source", "updated")) -> dict[str, Any]:
    """Every node and relationship with all properties, canonically sorted: two graphs are the
    same graph when their fingerprints are equal. `source` (the file a block was read from) is
    provenance, not content, and `updated` (when the clustering configuration was stored) a
    timestamp; both are left out by default. For test-sized graphs only."""
    with graph.driver.session(database=graph.database) as s:
        nodes = s.run(
            "MATCH (n) RETURN labels(n) AS l, properties(n) AS p"
        ).data()
        rels = s.run(
            "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, "
            "coalesce(a.id, a.txid, a.hash, a.address) AS a, "
            "coalesce(b.id, b.txid, b.hash, b.address) AS b"
        ).data()
    def key(d: dict[str, Any]) -> str:
        return repr(sorted((k, repr(v)) for k, v in d.items() if k not in ignore))
    return {
        "nodes": sorted(key({"labels": n["l"], **n["p"]}) for n in nodes),
        "rels": sorted(key({"type": r["t"], "a": r["a"], "b": r["b"], **r["p"]}) for r in rels),
    }


def write_blocks(graph: Graph, blocks: list[Block]) -> None:
    """Write hand-built blocks through the real load queries (no verification: their hashes
    are made up), then place them, as a load would."""
    from loaders.bitcoin.load import BitcoinWriter, place_chain
    from loaders.bitcoin.network import MAINNET
    from loaders.bitcoin.rows import Rows, block_rows

    rows = Rows()
    for b in blocks:
        block_rows(b, MAINNET, rows)
    writer = BitcoinWriter(graph)
    try:
        writer.write(rows.whole())
    finally:
        writer.close()
    place_chain(graph)


TAG_FIELDS = ("id", "address", "currency", "script_type", "label", "source", "category", "abuse",
              "confidence", "confidence_name", "creator", "title", "lastmod", "is_public",
              "tagpack", "line")


def write_tags(graph: Graph, tags: list[dict[str, Any]]) -> None:
    """Write tags made in a test through the tag loads' own queries (`load/tags/tags`, or
    `load/tags/eth_tags` for currency ETH), so they carry everything a load writes (the
    `label_lower` that search seeks on, say). Each tag gives at least id, address, label and
    category; currency defaults to BTC, the other fields to null."""
    rows = [{f: t.get(f) for f in TAG_FIELDS} | {"currency": t.get("currency", "BTC")}
            for t in tags]

    def work(tx: Any) -> None:
        for query, currency in (("load/tags/tags", "BTC"), ("load/tags/eth_tags", "ETH")):
            batch = [r for r in rows if (r["currency"] == "ETH") == (currency == "ETH")]
            if batch:
                graph.run_write(tx, query, {"rows": batch})

    graph.write(work, "test tags")
