"""Every lookup/stats/chain query on a small hand-built chain, with exact answers.

The chain (mainnet scripts, fake hashes; written through the real load queries):

    g (genesis, height 0): coinbase c0 pays 50 BTC to A (P2PKH)
    b1 (height 1):         coinbase c1 pays 50 BTC to B (P2PK: counts for B's P2PKH address)
                           t1 spends c0:0 (A) -> 30 BTC to C, 19.9 BTC back to A (fee 0.1)
    b2 (height 2):         coinbase c2 -> A;  t2 spends t1:0 (C) and x:5 (never loaded)
    s2 (stale sibling of b2, same parent, less work): coinbase s2c -> C
"""

from __future__ import annotations

from typing import Any

import pytest

from cypher.runner import Graph
from loaders.bitcoin.load import place_chain
from loaders.bitcoin.model import Block
from tests.handbuilt import TIME, block, hx, p2pkh, tx
from tests.helpers import wipe, write_blocks

pytestmark = pytest.mark.neo4j

BTC = 100_000_000
PKH_A = bytes.fromhex("76a914" + "11" * 20 + "88ac")
PKH_C = bytes.fromhex("76a914" + "33" * 20 + "88ac")
PUBKEY_B = "02" + "22" * 32
P2PK_B = bytes.fromhex("21" + PUBKEY_B + "ac")
EASIER = 0x1D01FFFF  # the stale sibling has half the work of the others (EASY)








C0, C1, T1, C2, T2, S2C, X = hx("a"), hx("b"), hx("c"), hx("d"), hx("e"), hx("7"), hx("8")
G, B1, B2, S2 = hx("01"), hx("02"), hx("03"), hx("04")
CHANGE = 1990 * BTC // 100  # 19.9 BTC


def chain() -> list[Block]:
    return [
        block(G, "0" * 64, [tx(C0, [], [(50 * BTC, PKH_A)])]),
        block(B1, G, [tx(C1, [], [(50 * BTC, P2PK_B)]),
                      tx(T1, [(C0, 0)], [(30 * BTC, PKH_C), (CHANGE, PKH_A)])]),
        block(B2, B1, [tx(C2, [], [(50 * BTC, PKH_A)]),
                       tx(T2, [(T1, 0), (X, 5)], [(29 * BTC, PKH_A)])]),
        block(S2, B1, [tx(S2C, [], [(50 * BTC, PKH_C)])], bits=EASIER),
    ]


@pytest.fixture(scope="module")
def small(graph: Graph) -> Graph:
    wipe(graph)
    write_blocks(graph, chain())
    return graph




def one(g: Graph, name: str, **params: Any) -> dict[str, Any]:
    rows = g.read(name, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_lookup_block_by_hash_and_height(small: Graph) -> None:
    b1 = one(small, "lookup/block", hash=B1)
    assert {k: b1[k] for k in ("hash", "height", "tx_count", "input_count", "output_count",
                               "output_value", "fee_total", "status", "first_txid",
                               "last_txid", "coinbase_value")} == {
        "hash": B1, "height": 1, "tx_count": 2, "input_count": 1, "output_count": 3,
        "output_value": 80 * BTC + CHANGE, "fee_total": 10 * BTC // 100, "status": "main",
        "first_txid": C1, "last_txid": T1, "coinbase_value": 50 * BTC}
    assert one(small, "lookup/block", height=2)["hash"] == B2  # the main one, not the stale
    assert one(small, "lookup/block", hash=S2)["status"] == "stale"
    # b2 spends x:5, which is not loaded: its fee total is unknown, not wrong
    b2 = one(small, "lookup/block", hash=B2)
    assert (b2["fee_total"], b2["inputs_resolved"], b2["input_count"]) == (None, 1, 2)
    assert small.read("lookup/block", {"height": 99}) == []


def test_lookup_transaction(small: Graph) -> None:
    t1 = one(small, "lookup/transaction", txid=T1)
    assert t1["inputs"] == [{"prev_txid": C0, "vout": 0, "address": p2pkh(PKH_A),
                             "value": 50 * BTC, "script_type": "p2pkh"}]
    assert [(o["n"], o["address"], o["value"], o["spent_by_txid"]) for o in t1["outputs"]] == [
        (0, p2pkh(PKH_C), 30 * BTC, T2), (1, p2pkh(PKH_A), CHANGE, None)]
    assert (t1["input_value"], t1["output_value"], t1["fee"], t1["height"],
            t1["block_hash"]) == (50 * BTC, 30 * BTC + CHANGE, 10 * BTC // 100, 1, B1)
    t2 = one(small, "lookup/transaction", txid=T2)
    assert (t2["input_count"], t2["input_value"], t2["fee"]) == (2, None, None)
    assert t2["inputs"][1] == {"prev_txid": X, "vout": 5, "address": None, "value": None,
                               "script_type": None}
    c1 = one(small, "lookup/transaction", txid=C1)
    assert (c1["is_coinbase"], c1["input_count"], c1["inputs"], c1["input_value"],
            c1["fee"]) == (True, 0, [], 0, 0)
    assert c1["outputs"][0]["script_type"] == "p2pk"
    assert one(small, "lookup/transaction", txid=S2C)["stale"] is True


def test_lookup_address(small: Graph) -> None:
    a = one(small, "lookup/address", address=p2pkh(PKH_A))
    assert {k: a[k] for k in ("received", "sent", "balance", "tx_count", "first_height",
                              "last_height", "output_count", "unspent_count")} == {
        "received": 129 * BTC + CHANGE, "sent": 50 * BTC,
        "balance": 79 * BTC + CHANGE, "tx_count": 4, "first_height": 0,
        "last_height": 2, "output_count": 4, "unspent_count": 3}
    c = one(small, "lookup/address", address=p2pkh(PKH_C))  # the stale coinbase is left out
    assert (c["received"], c["sent"], c["balance"], c["tx_count"]) == (
        30 * BTC, 30 * BTC, 0, 2)
    b = one(small, "lookup/address", address=p2pkh(P2PK_B))
    assert (b["script_type"], b["received"]) == ("p2pkh", 50 * BTC)
    assert small.read("lookup/address", {"address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"}) == []


def test_lookup_address_transactions(small: Graph) -> None:
    a = small.read("lookup/address_transactions", {"address": p2pkh(PKH_A)})
    assert [(r["txid"], r["height"], r["block_hash"], r["index"], r["received"], r["sent"],
             r["total"]) for r in a] == [
        (C0, 0, G, 0, 50 * BTC, 0, 4),
        (T1, 1, B1, 1, CHANGE, 50 * BTC, 4),
        (C2, 2, B2, 0, 50 * BTC, 0, 4),
        (T2, 2, B2, 1, 29 * BTC, 0, 4)]
    assert {r["time"] for r in a} == {TIME}
    whole = one(small, "lookup/address", address=p2pkh(PKH_A))
    assert (len(a), sum(r["received"] for r in a), sum(r["sent"] for r in a)) == (
        whole["tx_count"], whole["received"], whole["sent"])
    page = small.read("lookup/address_transactions",
                      {"address": p2pkh(PKH_A), "skip": 1, "limit": 2})
    assert [r["txid"] for r in page] == [T1, C2]
    assert small.read("lookup/address_transactions",
                      {"address": p2pkh(PKH_A), "skip": 4}) == []
    # C was paid by t1 and spent by t2; the stale coinbase s2c that paid it is left out
    c = small.read("lookup/address_transactions", {"address": p2pkh(PKH_C)})
    assert [(r["txid"], r["received"], r["sent"], r["total"]) for r in c] == [
        (T1, 30 * BTC, 0, 2), (T2, 0, 30 * BTC, 2)]
    b = small.read("lookup/address_transactions", {"address": p2pkh(P2PK_B)})
    assert [(r["txid"], r["received"]) for r in b] == [(C1, 50 * BTC)]
    assert small.read("lookup/address_transactions",
                      {"address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"}) == []


def test_lookup_block_transactions(small: Graph) -> None:
    cols = ("index", "txid", "is_coinbase", "input_count", "output_count", "input_value",
            "output_value", "fee", "size", "vsize", "stale")
    b1 = [tuple(r[c] for c in cols) for r in small.read("lookup/block_transactions",
                                                         {"hash": B1})]
    assert b1 == [(0, C1, True, 0, 1, 0, 50 * BTC, 0, 200, 200, False),
                  (1, T1, False, 1, 2, 50 * BTC, 30 * BTC + CHANGE, 10 * BTC // 100, 200,
                   200, False)]
    # t2 spends x:5, which is not loaded: its input value and fee are unknown, not wrong
    b2 = small.read("lookup/block_transactions", {"hash": B2, "skip": 1, "limit": 5})
    assert [(r["index"], r["txid"], r["input_value"], r["fee"]) for r in b2] == [
        (1, T2, None, None)]
    stale = small.read("lookup/block_transactions", {"hash": S2})
    assert [(r["txid"], r["stale"]) for r in stale] == [(S2C, True)]
    assert small.read("lookup/block_transactions", {"hash": hx("9")}) == []
    assert small.read("lookup/block_transactions", {"hash": B1, "limit": 1})[0]["txid"] == C1


def test_stats_queries(small: Graph) -> None:
    outs = one(small, "stats/outputs", block_hashes=[G, B1, B2])
    assert outs == {"outputs": 6, "output_value": 209 * BTC + CHANGE,
                    "addresses": 3, "addresses_excluding_p2pk": 2,
                    "script_types": {"p2pk": 1, "p2pkh": 5}}
    ins = one(small, "stats/inputs", block_hashes=[B1, B2])
    assert ins == {"inputs": 3, "resolved": 2, "input_value": 80 * BTC, "addresses": 2,
                   "without_address": 0, "script_types": {"p2pkh": 2}}
    # unspent: c1:0, t1:1, c2:0, t2:0 (genesis output excluded, stale s2 excluded)
    assert one(small, "stats/utxo") == {"utxo_count": 4,
                                        "utxo_value": 129 * BTC + CHANGE}


def test_chain_queries_placed_every_block(small: Graph) -> None:
    headers = {r["hash"]: r for r in small.read("chain/headers")}
    assert {h: (r["height"], r["status"]) for h, r in headers.items()} == {
        G: (0, "main"), B1: (1, "main"), B2: (2, "main"), S2: (2, "stale")}
    assert place_chain(small) == 0  # nothing moves the second time
    rows = small.read("load/bitcoin/loaded_blocks", {"hashes": [G, hx("9")]})
    assert rows == [{"hash": G}]


@pytest.mark.parametrize(("name", "params", "expect"), [
    ("lookup/block", {"height": 1}, [B1, "10000000"]),
    ("lookup/transaction", {"txid": T1}, [T1, "10000000"]),
    ("lookup/address", {"address": "1BcC5yTBPiztjAfUMF6ek5QmCZbzDHdBAv"}, ["5000000000"]),
])
def test_an_analyst_can_paste_the_query_into_cypher_shell(
    small: Graph, neo4j_settings: Any, tmp_path: Any, name: str, params: dict[str, Any],
    expect: list[str],
) -> None:
    """What `chaintrail query NAME --cypher` prints runs as is in cypher-shell (the jar in the
    Neo4j distribution) and gives the same answer as the stored query through the driver."""
    import subprocess

    from db.distribution import distribution_dir

    q = small.registry[name]
    if name == "lookup/address":
        params = {"address": p2pkh(P2PK_B)}
        expect = [p2pkh(P2PK_B), str(50 * BTC)]
    script = tmp_path / "paste.cypher"
    script.write_text(q.usage(q.bind(params)) + "\n" + q.text)
    lib = distribution_dir(neo4j_settings) / "lib"
    proc = subprocess.run(
        ["java", "-cp", f"{lib}/*", "org.neo4j.shell.Main", "-a", neo4j_settings.neo4j_uri,
         "-u", neo4j_settings.neo4j_user,
         "-p", neo4j_settings.neo4j_password.get_secret_value(), "--format", "plain",
         "-f", str(script)],
        capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    header, *lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert header.split(", ")[: len(q.columns)] == list(q.columns)
    assert len(lines) == len(small.read(name, params)) == 1
    for text in expect:
        assert text in lines[0]
