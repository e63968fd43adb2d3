"""`chaintrail query`: the catalogue, JSON and table output, and refusals with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cypher.runner import Graph
from loaders.bitcoin.load import BitcoinLoader
from tests.helpers import run_cli, wipe

pytestmark = [pytest.mark.neo4j, pytest.mark.shared]

BLOCK_170 = "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee"


@pytest.fixture(scope="module")
def loaded(graph: Graph, shared_data: Path) -> Graph:
    wipe(graph)
    BitcoinLoader(graph).load([shared_data / "bitcoin/blk/bitcoinj-blocks-0-438.dat"])
    return graph


def test_list_shows_the_catalogue(cli_env: dict[str, str]) -> None:
    out = run_cli(cli_env, "query", "--list").stdout
    for name in ("lookup/block", "lookup/transaction", "lookup/address", "stats/outputs"):
        assert name in out
    assert "load/bitcoin/blocks" not in out  # internal write queries are not offered
    # each with its parameters' defaults and its columns, as the README's catalogue
    flat = " ".join(out.split())
    assert "max_hops = 6" in flat and "bottleneck_value" in flat


def test_cypher_prints_placeholders_for_required_parameters(cli_env: dict[str, str]) -> None:
    out = run_cli(cli_env, "query", "lookup/transaction", "--cypher").stdout
    assert out.splitlines()[:2] == [":param txid => <txid>", ":param chain => 'bitcoin'"]


@pytest.mark.parametrize(("args", "message"), [
    (["load/bitcoin/blocks", "--param", "rows=[]"], "write query"),
    (["lookup/nothing"], "no stored query 'lookup/nothing'"),
    (["lookup/block", "--param", "colour=red"], "no parameter 'colour'"),
    (["lookup/block", "--param", "height=tall"], "must be INTEGER"),
    (["lookup/block", "--param", "hash=xyz"], "64 hex digits"),
    (["lookup/address", "--param", "address=1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm4"], "checksum"),
    (["lookup/transaction"], "'txid' (TXID) is required"),
    (["lookup/block", "--format", "xml"], "--format must be json or table"),
    (["trace/paths", "-p", "from=1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "-p",
      "to=12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "-p", "max_hops=9"],
     "'max_hops' must be from 1 to 8, got 9"),
    (["trace/paths", "-p", "from=1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "-p",
      "to=12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "-p", "k=20"], "'k' must be from 1 to 10"),
])
def test_refusals_are_clear(loaded: Graph, cli_env: dict[str, str], args: list[str],
                            message: str) -> None:
    proc = run_cli(cli_env, "query", *args, check=False)
    assert proc.returncode == 1, proc.stdout
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_ethereum_addresses_are_checked_and_lowercased(cli_env: dict[str, str]) -> None:
    ok = run_cli(cli_env, "query", "lookup/tags", "-p",
                 "address=0x" + "ab" * 20)
    assert json.loads(ok.stdout) == []
    bad = run_cli(cli_env, "query", "lookup/tags", "-p",
                  "address=0xAbCd" + "ab" * 18, check=False)  # mixed case: EIP-55 fails
    assert bad.returncode == 1 and "EIP-55" in bad.stderr


@pytest.fixture(scope="module")
def with_ethereum(loaded: Graph) -> Graph:
    """The Bitcoin blocks and, beside them, the hand-built Ethereum block 7 with a tag on C."""
    from loaders.ethereum.load import EthereumLoader
    from tests.cypher.test_eth_queries import C, block7

    EthereumLoader(loaded).load_blocks(iter([block7()]))
    with loaded.driver.session(database=loaded.database) as s:
        s.run("MATCH (a:Account {address: $a}) MERGE (t:Tag {id: 'cli-eth'}) "
              "SET t.label = 'Lazarus', t.category = 'sanctioned', t.confidence = 60, "
              "t.source = 'ofac', t.currency = 'ETH' MERGE (t)-[:TAGS]->(a)", a=C).consume()
    return loaded


def test_ethereum_lookups_by_chain_with_eip55_addresses(with_ethereum: Graph,
                                                        cli_env: dict[str, str]) -> None:
    from loaders.ethereum.address import eip55_checksum
    from tests.cypher.test_eth_queries import BLOCK_HASH, C, M, h

    rows = json.loads(run_cli(cli_env, "query", "lookup/block", "--param", "chain=ethereum",
                              "--param", "height=7").stdout)
    stored = with_ethereum.read("lookup/block", {"height": 7, "chain": "ethereum"})
    assert rows == [{**stored[0], "miner": eip55_checksum(M)}]
    assert (rows[0]["hash"], rows[0]["output_value"], rows[0]["token_transfer_count"]) == (
        BLOCK_HASH, str(999_999_999 + 1 + 2**64 + 5 + 3), 3)
    # a 0x hash or address is Ethereum's without saying so; every address shown in EIP-55
    (tx,) = json.loads(run_cli(cli_env, "query", "lookup/transaction", "-p",
                               f"txid={h(2)}").stdout)
    assert tx["txid"] == h(2) and tx["from"] == eip55_checksum(tx["from"]) != tx["from"].lower()
    assert all(t["to"] == eip55_checksum(t["to"]) for t in tx["transfers"] if t["kind"] != "burn")
    assert [t["to"] for t in tx["transfers"] if t["kind"] == "burn"] == [None]  # to no account
    (acct,) = json.loads(run_cli(cli_env, "query", "lookup/address", "-p",
                                 f"address={eip55_checksum(C)}").stdout)
    assert acct["address"] == eip55_checksum(C) and acct["balances"][0]["asset"] == "ETH"
    tags = json.loads(run_cli(cli_env, "query", "lookup/tags", "-p", f"address={C}").stdout)
    assert [(t["label"], t["via_address"]) for t in tags] == [("Lazarus", eip55_checksum(C))]
    # the Bitcoin side, asked explicitly, has no such address
    assert json.loads(run_cli(cli_env, "query", "lookup/tags", "-p", f"address={C}", "-p",
                              "chain=bitcoin").stdout) == []
    out = run_cli(cli_env, "query", "lookup/address", "-p", f"address={C}", "--cypher").stdout
    assert ":param chain => 'ethereum'" in out


def test_a_bad_chain_names_the_allowed_ones(loaded: Graph, cli_env: dict[str, str]) -> None:
    proc = run_cli(cli_env, "query", "lookup/block", "-p", "chain=tron", "-p", "height=1",
                   check=False)
    assert proc.returncode == 1 and "must be one of bitcoin, ethereum" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_table_rows_keep_every_value_whole(with_ethereum: Graph,
                                           cli_env: dict[str, str]) -> None:
    """Rows wider than the console (ids, hashes, addresses): values are folded onto more
    lines, never cut with an ellipsis (found by the docs review)."""
    from tests.cypher.test_eth_queries import B
    out = run_cli(cli_env, "query", "lookup/account_transfers", "-p", f"address={B}",
                  "--format", "table").stdout
    assert "rows" in out and "…" not in out
    hexes = "".join(c for c in out.lower() if c in "0123456789abcdefx:")
    for row in with_ethereum.read("lookup/account_transfers", {"address": B}):
        if row["tx_hash"]:
            assert row["tx_hash"][-12:] in hexes  # folded lines keep every character
