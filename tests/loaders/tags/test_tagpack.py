"""TagPacks on tiny hand-written files: header inheritance, per-tag overrides, confidence
names, invalid entries with their lines, other chains skipped and counted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from chaintrail.errors import FormatError
from loaders.tags.model import (
    CONFIDENCE_LEVELS,
    Problem,
    Tag,
    UnsupportedFile,
    eip55_checksum,
    tag_id,
)
from loaders.tags.tagpack import read_tagpack

ARCHIVE = "1Archive1n2C579dMsAu3iC6tWzuQJz8dN"  # P2PKH
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
P2WPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173's example
ETH_MIXED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's first example
TRON = "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"

PACK = f"""title: Test pack
creator: Test Team
description: what the tests need
lastmod: 2024-02-26
source: https://example.org/list
label: Header label
category: exchange
abuse: ransomware
confidence: service_data
is_public: true
tags:
- address: {ARCHIVE}
  currency: BTC
- address: {P2SH}
  currency: BTC
  label: Own label
  category: miner
  confidence: ownership
  source: https://example.org/other
  is_public: false
  lastmod: 2020-01-02
- address: '{ETH_MIXED}'
  currency: ETH
  abuse: phishing
- address: {P2WPKH}
  currency: btc
  creator: Someone else
  title: Another title
"""


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_header_fields_are_inherited_and_overridden_per_tag(tmp_path: Path) -> None:
    path = write(tmp_path, PACK)
    r = read_tagpack(path)
    src = str(path)
    common = dict(source="https://example.org/list", label="Header label", category="exchange",
                  abuse="ransomware", confidence=50, confidence_name="service_data",
                  creator="Test Team", title="Test pack", lastmod="2024-02-26", is_public=True,
                  tagpack=src)
    assert r.tags == [
        Tag(address=ARCHIVE, currency="BTC", script_type="p2pkh", line=12, **common),
        Tag(address=P2SH, currency="BTC", script_type="p2sh", line=14,
            **{**common, "label": "Own label", "category": "miner", "confidence": 100,
               "confidence_name": "ownership", "source": "https://example.org/other",
               "is_public": False, "lastmod": "2020-01-02"}),
        # stored lowercased: EIP-55 case is presentation
        Tag(address=ETH_MIXED.lower(), currency="ETH", script_type="ethereum", line=22,
            **{**common, "abuse": "phishing"}),
        Tag(address=P2WPKH, currency="BTC", script_type="p2wpkh", line=25,
            **{**common, "creator": "Someone else", "title": "Another title"}),
    ]
    assert (r.format, r.problems, r.skipped, r.confidence_missing) == ("tagpack", [], {}, 0)


def test_confidence_names_levels_and_a_missing_one(tmp_path: Path) -> None:
    assert {k: CONFIDENCE_LEVELS[k] for k in (
        "ownership", "authority_data", "forensic", "service_data", "web_crawl", "heuristic",
        "ledger_immanent", "untrusted_transaction", "unknown")} == {
        "ownership": 100, "authority_data": 60, "forensic": 70, "service_data": 50,
        "web_crawl": 20, "heuristic": 10, "ledger_immanent": 100, "untrusted_transaction": 40,
        "unknown": 5}
    text = f"""title: t
creator: c
source: s
label: l
tags:
- address: {ARCHIVE}
  currency: BTC
  confidence: web_crawl
- address: {P2SH}
  currency: BTC
- address: {P2WPKH}
  currency: BTC
  confidence: gut_feeling
"""
    r = read_tagpack(write(tmp_path, text))
    assert [(t.address, t.confidence_name, t.confidence) for t in r.tags] == [
        (ARCHIVE, "web_crawl", 20), (P2SH, "unknown", 5)]
    assert r.confidence_missing == 1
    assert [(p.line, p.kind) for p in r.problems] == [(11, "unknown_confidence")]
    assert "gut_feeling" in r.problems[0].message


def test_invalid_entries_are_reported_with_file_and_line_and_the_rest_loads(
        tmp_path: Path) -> None:
    text = f"""title: t
creator: c
source: s
label: l
confidence: forensic
currency: BTC
tags:
- address: {ARCHIVE}
- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dM
- address: {TRON}
- address: mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn
- address: '{ETH_MIXED[:-1]}D'
  currency: ETH
- address: '0x{"ab" * 19}'
  currency: ETH
- address: {P2SH}
  label: ''
- just a string
- address: 12345
- currency: BTC
- address: {P2WPKH}
"""
    path = write(tmp_path, text)
    r = read_tagpack(path)
    assert [t.address for t in r.tags] == [ARCHIVE, P2WPKH]
    assert [t.line for t in r.tags] == [8, 21]
    assert [(p.source, p.line, p.kind) for p in r.problems] == [
        (str(path), 9, "bad_address"),       # bad base58check checksum
        (str(path), 10, "another_chain"),    # TRON in a BTC entry
        (str(path), 11, "another_chain"),    # a testnet address
        (str(path), 12, "bad_checksum"),     # EIP-55
        (str(path), 14, "bad_address"),      # 38 hex digits
        (str(path), 16, "missing_field"),    # empty label
        (str(path), 18, "bad_entry"),        # not a mapping
        (str(path), 19, "bad_entry"),        # an int, not a string
        (str(path), 20, "missing_field"),    # no address
    ]
    assert "TRON" in r.problems[1].message and "another chain" in r.problems[1].message
    assert "testnet" in r.problems[2].message
    assert eip55_checksum(ETH_MIXED.lower()) in r.problems[3].message
    assert str(r.problems[1]) == f"{path} line 10: {r.problems[1].message}"
    assert isinstance(r.problems[0], Problem)


def test_other_chains_are_skipped_and_counted_not_errors(tmp_path: Path) -> None:
    text = f"""title: t
creator: c
source: s
label: l
confidence: forensic
tags:
- address: LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1
  currency: LTC
- address: qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq
  currency: BCH
- address: t1ZmpK4QFcvyQZ3ghTgSboBW8b4HgiZHQF9
  currency: zec
- address: not even checked
  currency: LTC
- address: {ARCHIVE}
  currency: BTC
- address: {ARCHIVE}
"""
    r = read_tagpack(write(tmp_path, text))
    assert r.skipped == Counter({"LTC": 2, "BCH": 1, "ZEC": 1})
    assert [t.address for t in r.tags] == [ARCHIVE]
    assert [(p.line, p.kind) for p in r.problems] == [(17, "missing_field")]  # no currency


def test_yaml_that_does_not_parse_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"title: t\ntags:\n- address: {ARCHIVE}\n  currency: [BTC\n")
    with pytest.raises(FormatError) as e:
        read_tagpack(path)
    assert e.value.source == str(path)
    assert e.value.line == 5
    assert str(path) in str(e.value) and "YAML does not parse" in str(e.value)


def test_yaml_without_a_tags_list_is_not_a_tagpack(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFile, match="not a TagPack"):
        read_tagpack(write(tmp_path, "title: actors\nactors:\n- id: x\n"))


def test_the_tag_id_is_a_hash_of_the_claim() -> None:
    a = tag_id("BTC", ARCHIVE, "s", "l", None)
    assert a == tag_id("BTC", ARCHIVE, "s", "l", "")
    assert len(a) == 32 and int(a, 16) >= 0
    assert len({a, tag_id("BTC", ARCHIVE, "s", "l", "c"), tag_id("BTC", ARCHIVE, "s2", "l", None),
                tag_id("BTC", ARCHIVE, "s", "l2", None), tag_id("ETH", ARCHIVE, "s", "l", None),
                tag_id("BTC", P2SH, "s", "l", None), tag_id("BTC", ARCHIVE, "sl", "", None)}) == 7
