"""The stored-query registry: header parsing, validation at load, parameter binding."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaintrail.errors import ParameterError, RegistryError, UnknownQuery
from cypher.registry import Registry, parse_query_file

GOOD = """// @description Blocks at a height.
//   More words.
// @mode read
// @param height INTEGER  the height
// @param limit INTEGER = 10  at most this many
// @columns hash, height
MATCH (b:Block {height: $height}) RETURN b.hash AS hash, b.height AS height LIMIT $limit
"""


def test_parse_header_and_bind_defaults() -> None:
    q = parse_query_file("lookup/x", GOOD)
    assert q.description == "Blocks at a height. More words."
    assert q.mode == "read"
    assert [p.name for p in q.params] == ["height", "limit"]
    assert q.columns == ("hash", "height")
    assert q.bind({"height": 5}) == {"height": 5, "limit": 10}
    assert q.usage() == ":param height => <integer>\n:param limit => 10"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("// @mode read\n", ""), "@mode is missing"),
        (GOOD.replace("// @columns hash, height\n", ""), "@columns is missing"),
        (GOOD.replace("// @description Blocks at a height.\n", ""), "@description is missing"),
        (GOOD.replace("LIMIT $limit", "LIMIT $limit SKIP $skip"), "used but not declared: skip"),
        (GOOD.replace("LIMIT $limit", "LIMIT 3"), "declared but not used: limit"),
        (GOOD.replace("@mode read", "@mode maybe"), "must be read or write"),
        (GOOD.replace("INTEGER = 10", "INTEGER = ten"), "not a JSON literal"),
        (GOOD.replace("@param height INTEGER", "@param 9height integer"), "malformed @param"),
        (GOOD.replace("height INTEGER ", "height DECIMAL "), "unknown parameter type"),
    ],
)
def test_malformed_headers_fail_at_load(text: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        parse_query_file("lookup/x", text)


def test_params_in_strings_and_comments_are_not_params() -> None:
    text = GOOD.replace("LIMIT $limit", "LIMIT $limit // $nothing\nRETURN '$notaparam'")
    assert [p.name for p in parse_query_file("x", text).params] == ["height", "limit"]


def test_duplicate_names_fail(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "q.cypher").write_text(GOOD)
    (tmp_path / "a" / "Q.cypher").write_text(GOOD)
    with pytest.raises(RegistryError, match="duplicate stored query name"):
        Registry.load(tmp_path)


def test_bind_checks_types_and_names() -> None:
    q = parse_query_file("lookup/x", GOOD)
    with pytest.raises(ParameterError, match=r"'height' .* is required"):
        q.bind({})
    with pytest.raises(ParameterError, match="unknown parameter"):
        q.bind({"height": 1, "colour": "red"})
    with pytest.raises(ParameterError, match="must be INTEGER"):
        q.bind({"height": "1"})
    with pytest.raises(ParameterError, match="must fit in 64 bits"):
        q.bind({"height": 99999999999999999999})
    assert q.bind({"height": 2**63 - 1})["height"] == 2**63 - 1


def test_an_upper_case_bech32_address_is_the_lower_case_one() -> None:
    """BIP173: a segwit address written all in upper case (as QR codes do) is the same
    address; the graph stores it in lower case."""
    q = parse_query_file("x", "// @description d\n// @mode read\n// @param a ADDRESS  an "
                              "address\n// @columns a\nRETURN $a AS a")
    upper = "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"
    assert q.bind({"a": upper}) == {"a": upper.lower()}
    assert q.bind({"a": "BCRT1Q0008AGSY"}) == {"a": "bcrt1q0008agsy"}
    base58 = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # case matters there: left alone
    assert q.bind({"a": base58}) == {"a": base58}
    with pytest.raises(ParameterError, match="never mixed"):  # BIP173 forbids mixed case
        q.bind({"a": "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"})
    many = parse_query_file("x", "// @description d\n// @mode read\n// @param a LIST<ADDRESS>"
                                 "  addresses\n// @columns a\nRETURN $a AS a")
    assert many.bind({"a": [upper, base58]}) == {"a": [upper.lower(), base58]}
    with pytest.raises(ParameterError, match="never mixed"):
        many.bind({"a": ["Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"]})


def test_cluster_ids_and_address_lists_are_addresses() -> None:
    """A cluster id is its smallest address: an upper-case bech32 one names the same cluster
    in every query that takes one, as an address does (found by the clustering review)."""
    from cypher.registry import Registry
    reg = Registry.load()
    for name, param in [("cluster/members", "cluster_id"), ("exposure/received", "cluster_id"),
                        ("exposure/sent", "cluster_id"), ("trace/paths", "from"),
                        ("trace/paths", "to"), ("trace/end_outputs", "end")]:
        assert reg[name].param(param).type == "ADDRESS", (name, param)  # type: ignore[union-attr]
    for name, param in [("batch/addresses", "addresses"), ("batch/clusters", "addresses"),
                        ("batch/tags", "addresses"), ("exposure/tags", "addresses"),
                        ("trace/cluster_flows", "cluster_ids")]:
        assert reg[name].param(param).type == "LIST<ADDRESS>", (name, param)  # type: ignore[union-attr]


def test_txid_params_are_checked_and_normalised() -> None:
    q = parse_query_file("x", "// @description d\n// @mode read\n// @param t TXID  id\n"
                              "// @columns t\nRETURN $t AS t")
    assert q.bind({"t": "AB" * 32}) == {"t": "ab" * 32}
    with pytest.raises(ParameterError, match="64 hex digits"):
        q.bind({"t": "xyz"})


def test_ethereum_hashes_and_chains_are_checked_and_normalised() -> None:
    q = parse_query_file("x", "// @description d\n// @mode read\n// @param t TXID  id\n"
                              "// @param chain CHAIN = \"bitcoin\"  which chain\n"
                              "// @columns t\nRETURN $t AS t, $chain AS c")
    assert q.bind({"t": "0X" + "AB" * 32}) == {"t": "0x" + "ab" * 32, "chain": "bitcoin"}
    assert q.bind({"t": "ab" * 32, "chain": "Ethereum"})["chain"] == "ethereum"
    with pytest.raises(ParameterError, match=r"'chain' must be one of bitcoin, ethereum, "
                                             r"got 'tron'"):
        q.bind({"t": "ab" * 32, "chain": "tron"})
    with pytest.raises(ParameterError, match="64 hex digits"):
        q.bind({"t": "0x" + "ab" * 31})


def test_the_packaged_catalogue_loads_and_has_the_issue_columns() -> None:
    reg = Registry.load()
    expected = {
        "lookup/block": ["hash", "height", "time", "tx_count", "input_count", "output_count",
                         "output_value", "fee_total"],
        "lookup/transaction": ["txid", "block_hash", "height", "input_count", "output_count",
                               "input_value", "output_value", "fee", "inputs", "outputs"],
        "lookup/address": ["address", "script_type", "received", "sent", "balance", "tx_count",
                           "first_height", "last_height"],
        "cluster/of_address": ["cluster_id", "size", "received", "sent", "first_height",
                               "last_height", "coinjoin_links_skipped"],
        "cluster/members": ["address", "script_type", "received", "sent"],
        "cluster/explain": ["step", "txid", "heuristic", "version", "address_from",
                            "address_to"],
        "cluster/stats": ["clusters", "clustered_addresses", "largest", "singletons", "config"],
        "cluster/largest": ["cluster_id", "size", "top_merge_txid", "top_merge_addresses"],
    }
    for name, cols in expected.items():
        assert list(reg[name].columns[: len(cols)]) == cols
        assert reg[name].mode == "read"
    with pytest.raises(UnknownQuery):
        reg["lookup/nothing"]
    writers = ("load/", "schema/", "chain/update", "bench/", "cluster/absorb", "cluster/grow",
               "cluster/annotate", "cluster/save_config", "cluster/reset_", "cluster/mark_all",
               "cluster/done", "cluster/link", "cluster/unlink",
               # cases: written by the API's analysts, never through `chaintrail query`
               "case/create", "case/update", "case/add_items", "case/remove_items",
               "case/record_export", "case/delete",
               # API keys: written by `chaintrail apikey`
               "apikey/create", "apikey/revoke")
    for q in reg:  # everything an analyst may run is a read
        if not q.name.startswith(writers):
            assert q.mode == "read", q.name
