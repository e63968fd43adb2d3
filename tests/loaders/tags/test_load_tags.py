"""The tag load on the real server: exact Tag/TAGS counts on tiny files, idempotent reloads,
a file that does not parse writes nothing; and every label file in ../shared/data/labels with
the numbers counted independently here."""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from cypher.runner import Graph
from loaders.tags.load import TagLoader
from tests.helpers import graph_fingerprint, run_cli
from tests.loaders.tags.test_tagpack import ARCHIVE, ETH_MIXED, P2SH, P2WPKH, TRON

pytestmark = pytest.mark.neo4j

PACK = f"""title: Tiny
creator: Tests
source: https://example.org
label: Exchange A
category: exchange
confidence: service_data
tags:
- address: {ARCHIVE}
  currency: BTC
- address: {P2SH}
  currency: BTC
  label: Exchange A cold
- address: '{ETH_MIXED}'
  currency: ETH
- address: {TRON}
  currency: BTC
- address: LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1
  currency: LTC
"""


def count(graph: Graph, pattern: str) -> int:
    with graph.driver.session(database=graph.database) as s:
        rec = s.run(f"MATCH {pattern} RETURN count(*) AS n").single(strict=True)  # type: ignore[arg-type]
        return int(rec["n"])


def counts(graph: Graph) -> tuple[int, int, int]:
    """Tags, TAGS relationships, and addresses (Bitcoin) plus accounts (Ethereum)."""
    return (count(graph, "(:Tag)"), count(graph, "(:Tag)-[:TAGS]->(:Address|Account)"),
            count(graph, "(:Address|Account)"))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    d = tmp_path / "labels"
    (d / "ofac").mkdir(parents=True)
    (d / "pack.yaml").write_text(PACK)
    # the same address as the pack's, another claim: a second tag on it
    (d / "ofac" / "sanctioned_addresses_XBT.txt").write_text(f"{ARCHIVE}\n{P2WPKH}\n{TRON}\n")
    (d / "README.md").write_text("# Labels\n\nTagPacks and lists.\n")
    return d


def test_tiny_files_load_exactly_and_reload_changes_nothing(
        empty_graph: Graph, files: Path) -> None:
    g = empty_graph
    with g.driver.session(database=g.database) as s:  # already in the chain data
        s.run("CREATE (:Address {address: $a, script_type: 'p2pkh', marker: 1})",
              a=ARCHIVE).consume()
    summary = TagLoader(g, batch_tags=2).load([files]).as_dict()
    assert {k: v for k, v in summary.items() if k != "seconds"} == {
        "files": 2, "files_by_format": {"tagpack": 1, "txt": 1}, "files_ignored": 1,
        "files_failed": [],
        "tags": 5, "tags_by_currency": {"BTC": 4, "ETH": 1},
        "invalid": 2, "invalid_by_reason": {"another_chain": 2},
        "skipped": 1, "skipped_by_currency": {"LTC": 1}, "confidence_missing": 0,
        "tags_created": 5, "addresses_created": 3}
    assert counts(g) == (5, 5, 4)
    with g.driver.session(database=g.database) as s:
        addrs = {r["a"]: (r["t"], r["m"]) for r in s.run(
            "MATCH (a:Address) RETURN a.address AS a, a.script_type AS t, a.marker AS m")}
        # an Ethereum tag attaches to the account (lower-case), not to a Bitcoin Address
        tag = s.run("MATCH (t:Tag)-[:TAGS]->(:Account {address: $a}) RETURN t",
                    a=ETH_MIXED.lower()).single(strict=True)["t"]
        accounts = [r["a"] for r in s.run("MATCH (a:Account) RETURN properties(a) AS a")]
    assert addrs == {ARCHIVE: ("p2pkh", 1), P2SH: ("p2sh", None), P2WPKH: ("p2wpkh", None)}
    assert accounts == [{"address": ETH_MIXED.lower()}]
    assert {k: tag[k] for k in ("label", "category", "confidence", "confidence_name", "source",
                                "currency", "creator", "title", "line", "abuse")} == {
        "label": "Exchange A", "category": "exchange", "confidence": 50,
        "confidence_name": "service_data", "source": "https://example.org", "currency": "ETH",
        "creator": "Tests", "title": "Tiny", "line": 13, "abuse": None}
    assert tag["tagpack"].endswith("pack.yaml") and len(tag["id"]) == 32
    assert tag["label_lower"] == "exchange a"  # what search/prefix and tags/list seek on
    hits = g.read("search/prefix", {"text": "EXCHANGE A C"})
    assert [(h["kind"], h["label"]) for h in hits] == [("tag", "Exchange A cold")]
    before = graph_fingerprint(g)
    again = TagLoader(g).load([files]).as_dict()
    assert (again["tags"], again["tags_created"], again["addresses_created"]) == (5, 0, 0)
    assert counts(g) == (5, 5, 4)
    assert graph_fingerprint(g) == before


def test_ethereum_tags_of_an_earlier_version_move_to_their_account(
        empty_graph: Graph, files: Path) -> None:
    """Earlier, Ethereum tags were attached to Bitcoin `Address` nodes: a tag load moves them
    to the account and drops the then unlinked Address node; a loaded account keeps its
    properties; the reload is otherwise the same claims."""
    g = empty_graph
    other = "0x" + "ab" * 20
    with g.driver.session(database=g.database) as s:
        s.run("CREATE (:Tag {id: 'old', label: 'Old', currency: 'ETH'})-[:TAGS]->"
              "(:Address {address: $a, script_type: 'ethereum'}), "
              "(:Tag {id: 'old2', label: 'Old 2', currency: 'ETH'})-[:TAGS]->"
              "(:Address {address: $b, script_type: 'ethereum'}), "
              "(:Account {address: $b, kind: 'eoa'})",
              a=ETH_MIXED.lower(), b=other).consume()
    TagLoader(g).load([files])
    with g.driver.session(database=g.database) as s:
        tagged = {r["a"]: (r["kind"], r["tags"]) for r in s.run(
            "MATCH (t:Tag)-[:TAGS]->(a:Account) WITH a, t ORDER BY t.id "
            "RETURN a.address AS a, a.kind AS kind, collect(t.id) AS tags")}
        left = s.run("MATCH (x:Address) WHERE x.address STARTS WITH '0x' "
                     "RETURN count(x) AS n").single(strict=True)["n"]
    assert left == 0
    assert tagged[other] == ("eoa", ["old2"])
    assert tagged[ETH_MIXED.lower()][1][-1] == "old" and len(tagged[ETH_MIXED.lower()][1]) == 2
    assert counts(g) == (7, 7, 5)


def test_a_file_that_does_not_parse_is_named_and_skipped_and_the_rest_loads(
        empty_graph: Graph, tmp_path: Path, cli_env: dict[str, str]) -> None:
    g = empty_graph
    bad = tmp_path / "a_bad.yaml"
    bad.write_text(PACK + "- address: [unclosed\n")
    summary = TagLoader(g).load([bad])
    assert len(summary.files_failed) == 1
    assert summary.files_failed[0].startswith(f"{bad} line 20: ")
    assert counts(g) == (0, 0, 0)
    # in a directory: nothing of it is written, the files before and after it are loaded
    d = tmp_path / "dir"
    d.mkdir()
    (d / "b_bad.yaml").write_text(bad.read_text())
    (d / "a_good.txt").write_text(f"{P2WPKH}\n")
    (d / "c_good.txt").write_text(f"{P2SH}\n")
    summary = TagLoader(g).load([d])
    assert [f.split(":")[0] for f in summary.files_failed] == [f"{d / 'b_bad.yaml'} line 20"]
    assert counts(g) == (2, 2, 2)
    # the CLI prints the summary, names the file, and exits non-zero
    proc = run_cli(cli_env, "load", "tags", str(d), check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["files_failed"] == summary.files_failed
    assert "b_bad.yaml line 20" in proc.stderr and "the other files were loaded" in proc.stderr


def test_a_named_file_that_is_no_tag_file_is_named(empty_graph: Graph, files: Path) -> None:
    summary = TagLoader(empty_graph).load([files / "README.md", files / "pack.yaml"])
    assert len(summary.files_failed) == 1
    assert "README.md: neither a TagPack nor an address list" in summary.files_failed[0]
    assert counts(empty_graph) == (3, 3, 3)  # the pack after it is loaded


# --- the real label files ------------------------------------------------------------------

LOADED = ("BTC", "ETH")
# The invalid entries, found by reading them: (file, line, address, reason).
INVALID = [
    ("graphsense-tagpacks/packs/etherscamdb_tagpack.yaml", 15521,
     "1Mn386ue8o3mW9866octLNP8HFqcYsphJCV", "bad_address"),
    ("graphsense-tagpacks/packs/etherscan-label-word-cloud.yaml", 15954,
     "0xA0DF9CA52e8aB5DDE22C55D9B3C2CDF814B9B773", "bad_checksum"),
    ("graphsense-tagpacks/packs/etherscan-label-word-cloud.yaml", 16198,
     "0xf299f6B031Cc4dd1BfcB86A5e5590f99336a29c6", "bad_checksum"),
    ("graphsense-tagpacks/packs/ofac.yaml", 1069, TRON, "another_chain"),
    ("graphsense-tagpacks/packs/plustoken.yaml", 11,
     "1MFgcyJ7ZNSknbTBRaih6zWDE6V1A64tRYs", "bad_address"),
    ("graphsense-tagpacks/packs/plustoken.yaml", 31,
     "14bwh6gmvol5ntwbvxqjkjdtzv4y5ebtvm", "bad_address"),
    ("graphsense-tagpacks/packs/sextortion_excello.yaml", 2867,
     "3CD19JE8F4C48L43E3A5TH8XD45JLRXUL", "bad_address"),
    ("graphsense-tagpacks/packs/sextortion_excello.yaml", 6485,
     "1GL9JtXPRTPetxgiJ8UcgrEECp12spD4t", "bad_address"),
    ("graphsense-tagpacks/packs/sextortion_excello.yaml", 10617,
     "1MJzarWdCR8dXGt6vpK62f7MxcWYcVynM", "bad_address"),
    ("graphsense-tagpacks/packs/sextortion_excello.yaml", 12935,
     "1AzdzwWHaJXytimxenzi45JVtY4FsXwLZ", "bad_address"),
    ("graphsense-tagpacks/packs/sextortion_excello.yaml", 20861,
     "1MK4uue11JnVxjUQhq19KNSpAuyaFqBwM", "bad_address"),
    ("graphsense-tagpacks/packs/sextortion_excello.yaml", 20871,
     "3daa7ab7451f4215c9fe53c6c739e8e534", "bad_address"),
    ("ofac-0xB10C/sanctioned_addresses_XBT.json", 356, TRON, "another_chain"),
    ("ofac-0xB10C/sanctioned_addresses_XBT.txt", 355, TRON, "another_chain"),
]
OFAC_ASSET = {"XBT": "BTC"}


def independent_count(labels: Path) -> dict[str, Any]:
    """Entries by currency and the distinct claims (currency, address, source, label,
    category) of the valid ones, with plain PyYAML, csv and json, not the loader's parser."""
    entries: Counter[str] = Counter()
    claims: set[tuple[str, ...]] = set()
    invalid = {(f, a) for f, _, a, _ in INVALID}
    no_confidence = 0

    def claim(rel: str, currency: str, address: str, source: str, label: str,
              category: str | None) -> bool:
        entries[currency] += 1
        if currency in LOADED and (rel, address) not in invalid:
            # surrounding whitespace is not part of a value ('0x4736...9d ' in tornado_cash)
            address = address.strip().lower() if currency == "ETH" else address.strip()
            claims.add((currency, address, source.strip(), label.strip(), category or ""))
            return True
        return False

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for f in sorted((labels / "graphsense-tagpacks" / "packs").rglob("*.yaml")):
        rel = str(f.relative_to(labels))
        doc = yaml.load(f.read_text(), Loader=loader)  # a safe loader
        header = {k: v for k, v in doc.items() if k != "tags"}
        for tag in doc["tags"]:
            e = {**header, **tag}
            currency = str(e["currency"]).strip().upper()
            valid = claim(rel, currency, e["address"], e["source"], str(e["label"]),
                          e.get("category"))
            no_confidence += valid and e.get("confidence") is None
    for f in sorted((labels / "ofac-0xB10C").glob("sanctioned_addresses_*")):
        rel = str(f.relative_to(labels))
        asset = f.stem.removeprefix("sanctioned_addresses_")
        if f.suffix == ".json":
            addresses = json.loads(f.read_text())
        else:
            addresses = [ln for ln in f.read_text().split("\n") if ln]
        for a in addresses:
            claim(rel, OFAC_ASSET.get(asset, asset), a, "ofac", "OFAC SDN", "sanctioned")
    with (labels / "ofac-ultrasoundmoney" / "data.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            claim("ofac-ultrasoundmoney/data.csv", "ETH", row["address"], "ofac", row["name"],
                  "sanctioned")
    return {"entries": entries, "claims": len(claims), "no_confidence": no_confidence,
            "eth_claims": sum(1 for c in claims if c[0] == "ETH")}


@pytest.mark.shared
@pytest.mark.slow
def test_every_shared_label_file(empty_graph: Graph, shared_data: Path,
                                 caplog: pytest.LogCaptureFixture) -> None:
    labels = shared_data / "labels"
    expected = independent_count(labels)
    caplog.set_level(logging.WARNING, logger="loaders.tags")
    summary = TagLoader(empty_graph).load([labels]).as_dict()

    # what was read: every entry is loaded, invalid or skipped, by currency
    invalid_by_currency = Counter("ETH" if a.startswith("0x") else "BTC" for _, _, a, _ in INVALID)
    assert summary["tags_by_currency"] == {
        c: expected["entries"][c] - invalid_by_currency[c] for c in LOADED}
    assert summary["skipped_by_currency"] == {
        c: n for c, n in expected["entries"].items() if c not in LOADED}
    assert summary["invalid_by_reason"] == dict(sorted(Counter(r for *_, r in INVALID).items()))
    # the numbers, once more as figures
    assert (summary["tags"], summary["tags_by_currency"], summary["invalid"],
            summary["skipped"]) == (151_397, {"BTC": 126_538, "ETH": 24_859}, 14, 517)
    assert (summary["skipped_by_currency"]["LTC"], summary["skipped_by_currency"]["TRX"],
            summary["skipped_by_currency"]["USDT"]) == (76, 48, 86)
    assert summary["confidence_missing"] == expected["no_confidence"] == 3862
    assert summary["files_by_format"] == {"csv": 1, "json": 17, "tagpack": 78, "txt": 17}
    assert summary["files_ignored"] == 8  # READMEs, LICENSEs, CITATION.cff, the ActorPack

    # every invalid entry was reported as a warning with its file and line
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
              and "invalid tag entry" in r.getMessage()]
    assert len(warned) == len(INVALID)
    for rel, line, address, _ in INVALID:
        assert any(f"{labels / rel} line {line}:" in w and address in w for w in warned), rel
    tron = [w for w in warned if "sanctioned_addresses_XBT.txt line 355:" in w]
    assert len(tron) == 1 and "address of another chain (TRON)" in tron[0]

    # what was written: one node per distinct claim, each tagging one address
    assert summary["tags_created"] == expected["claims"] == count(empty_graph, "(:Tag)")
    # Bitcoin claims tag addresses, Ethereum ones accounts (lower-case)
    assert count(empty_graph, "(:Tag {currency: 'BTC'})-[:TAGS]->(:Address)") \
        == expected["claims"] - expected["eth_claims"]
    assert count(empty_graph, "(:Tag {currency: 'ETH'})-[:TAGS]->(:Account)") \
        == expected["eth_claims"] > 0
    assert count(empty_graph, "(t:Tag) WHERE NOT (t)-[:TAGS]->()") == 0
    assert count(empty_graph, "(a:Address) WHERE a.address STARTS WITH '0x'") == 0
    assert summary["addresses_created"] == count(empty_graph, "(:Address|Account)")


def test_tags_of_a_test_network(empty_graph: Graph, tmp_path: Path,
                                cli_env: dict[str, str]) -> None:
    """`--network regtest` (a generated chain's tags): its addresses load; a mainnet address
    is then an address of another network, reported and skipped."""
    from loaders.bitcoin.address import p2pkh_address, segwit_address
    from loaders.bitcoin.network import REGTEST

    regtest = [segwit_address(0, bytes(20), REGTEST), p2pkh_address(bytes(20), REGTEST)]
    lst = tmp_path / "exchange.txt"
    lst.write_text("\n".join([*regtest, P2WPKH]) + "\n")
    default = TagLoader(empty_graph).load([lst])
    assert (sum(default.tags.values()), sum(default.invalid.values())) == (1, 2)
    proc = run_cli(cli_env, "load", "tags", str(lst), "--network", "regtest",
                   "--category", "exchange")
    summary = json.loads(proc.stdout)
    assert (summary["tags"], summary["invalid_by_reason"]) == (2, {"another_chain": 1})
    for a in regtest:
        assert [r["category"] for r in empty_graph.read("lookup/tags", {"address": a})] == [
            "exchange"]
    bad = run_cli(cli_env, "load", "tags", str(lst), "--network", "moon", check=False)
    assert bad.returncode != 0 and "unknown network" in bad.stderr
