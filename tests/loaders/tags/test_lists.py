"""Plain address lists (OFAC text, CSV, JSON) and format detection, on tiny hand-written files:
defaults, per-file asset, EIP-55, a TRON address in a Bitcoin list, lines of invalid entries."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from loaders.tags.load import detect, iter_files, read_file
from loaders.tags.model import UnsupportedFile, check_address, eip55_checksum
from tests.loaders.tags.test_tagpack import ARCHIVE, ETH_MIXED, P2SH, P2WPKH, TRON

EIP55_EXAMPLES = [  # the four examples of EIP-55
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


@pytest.mark.parametrize("good", EIP55_EXAMPLES)
def test_eip55_good_bad_and_single_case(good: str) -> None:
    assert eip55_checksum(good.lower()) == good
    assert check_address(good, "ETH") == (good.lower(), "ethereum")
    assert check_address(good.lower(), "ETH") == (good.lower(), "ethereum")  # no checksum
    assert check_address("0x" + good[2:].upper(), "ETH")[0] == good.lower()  # no checksum
    i = next(i for i, c in enumerate(good) if i > 1 and c.isalpha())
    bad = good[:i] + good[i].swapcase() + good[i + 1:]
    with pytest.raises(ValueError, match="bad EIP-55 checksum"):
        check_address(bad, "ETH")


def test_an_ofac_bitcoin_list_with_a_tron_address(tmp_path: Path) -> None:
    path = write(tmp_path, "ofac/sanctioned_addresses_XBT.txt",
                 f"{ARCHIVE}\n\n# a comment\n{TRON}\n{P2SH}\r\n{ETH_MIXED}\n")
    r = read_file(path)
    assert r.format == "txt"
    assert [(t.address, t.currency, t.script_type, t.line) for t in r.tags] == [
        (ARCHIVE, "BTC", "p2pkh", 1), (P2SH, "BTC", "p2sh", 5)]
    t = r.tags[0]
    assert (t.source, t.category, t.label, t.confidence_name, t.confidence, t.abuse,
            t.tagpack) == ("ofac", "sanctioned", "OFAC SDN", "authority_data", 60, None,
                           str(path))
    assert [(p.source, p.line, p.kind) for p in r.problems] == [
        (str(path), 4, "another_chain"), (str(path), 6, "another_chain")]
    assert "address of another chain (TRON)" in r.problems[0].message
    assert "Ethereum" in r.problems[1].message


def test_an_ofac_ethereum_list_is_lowercased_and_checked(tmp_path: Path) -> None:
    bad = ETH_MIXED[:-1] + "D"
    path = write(tmp_path, "sanctioned_addresses_ETH.txt", f"{ETH_MIXED}\n{bad}\n{ARCHIVE}\n")
    r = read_file(path)
    assert [(t.address, t.currency, t.source) for t in r.tags] == [
        (ETH_MIXED.lower(), "ETH", "ofac")]
    assert [(p.line, p.kind) for p in r.problems] == [(2, "bad_checksum"), (3, "another_chain")]


def test_a_list_of_another_asset_is_skipped_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "sanctioned_addresses_LTC.txt",
                 "LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1\nwhatever\n\n")
    r = read_file(path)
    assert (r.tags, r.problems, r.skipped) == ([], [], Counter({"LTC": 2}))


def test_a_plain_list_decides_per_entry_and_takes_source_and_category(tmp_path: Path) -> None:
    path = write(tmp_path, "watch.txt", f"{ARCHIVE}\n{ETH_MIXED}\n{TRON}\nxyz!\n")
    r = read_file(path)
    assert [(t.address, t.currency, t.source, t.category, t.label, t.confidence_name)
            for t in r.tags] == [
        (ARCHIVE, "BTC", "watch.txt", None, "watch.txt", "unknown"),
        (ETH_MIXED.lower(), "ETH", "watch.txt", None, "watch.txt", "unknown")]
    assert [(p.line, p.kind) for p in r.problems] == [(3, "another_chain"), (4, "bad_address")]
    r2 = read_file(path, source="case-17", category="scam")
    assert {(t.source, t.category) for t in r2.tags} == {("case-17", "scam")}


def test_csv_names_become_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "ofac-eth/data.csv",
                 f'address,name\n{ETH_MIXED},"LAZARUS GROUP"\n\n'
                 f'{ETH_MIXED[:-1]}D,"X"\n{ARCHIVE},"SMITH, John"\n{P2WPKH},\n')
    r = read_file(path)
    assert r.format == "csv"
    assert [(t.line, t.address, t.currency, t.label, t.source, t.category) for t in r.tags] == [
        (2, ETH_MIXED.lower(), "ETH", "LAZARUS GROUP", "ofac", "sanctioned"),
        (5, ARCHIVE, "BTC", "SMITH, John", "ofac", "sanctioned"),
        (6, P2WPKH, "BTC", "OFAC SDN", "ofac", "sanctioned")]
    assert [(p.line, p.kind) for p in r.problems] == [(4, "bad_checksum")]
    # a malformed row, and a quote never closed (it swallows the lines after it): each an
    # invalid entry with its line; the rows around them load
    bad = read_file(write(tmp_path, "ofac-eth/bad.csv",
                          f"address,name\n{ARCHIVE},a,b\n{P2SH},ok\n"
                          f'{P2WPKH},"Alice\n{ARCHIVE},Bob\n'))
    assert [(t.line, t.address) for t in bad.tags] == [(3, P2SH)]
    assert [(p.line, p.kind) for p in bad.problems] == [(2, "bad_entry"), (4, "bad_entry")]
    assert "3 fields where the header has 2" in bad.problems[0].message
    assert "from line 4 to line 5" in bad.problems[1].message


def test_a_text_list_line_that_is_no_address_is_an_invalid_entry(tmp_path: Path) -> None:
    r = read_file(write(tmp_path, "list.txt", f"{ARCHIVE}\nhello world\n{P2SH}\n"))
    assert r.format == "txt"
    assert [(t.line, t.address) for t in r.tags] == [(1, ARCHIVE), (3, P2SH)]
    assert [(p.line, p.kind) for p in r.problems] == [(2, "bad_entry")]


def test_json_arrays_give_each_entry_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sanctioned_addresses_XBT.json",
                 f'[\n  "{ARCHIVE}",\n  "{TRON}", "{P2SH}"\n]\n')
    r = read_file(path)
    assert r.format == "json"
    assert [(t.line, t.address) for t in r.tags] == [(2, ARCHIVE), (3, P2SH)]
    assert [(p.line, p.kind) for p in r.problems] == [(3, "another_chain")]
    with pytest.raises(UnsupportedFile, match="array of address strings"):
        read_file(write(tmp_path, "objects.json", '[{"address": "x"}]'))


@pytest.mark.parametrize(("name", "text", "fmt"), [
    ("list.dat", f"{ARCHIVE}\n{P2SH}\n", "txt"),
    ("list.txt", f"address,name\n{ARCHIVE},x\n", "csv"),
    ("list.csv", f"Address\n{ARCHIVE}\n", "csv"),
    ("list.txt", f'["{ARCHIVE}"]', "json"),
    ("pack.txt", f"title: t\ntags:\n- address: {ARCHIVE}\n", "tagpack"),
    ("pack.yml", "title: t\n", "tagpack"),
    ("README.md", "# Lists\n\nOne address a line.\n", None),
    ("LICENSE", "MIT License\n\nCopyright (c) 2024\n", None),
    ("CITATION.cff", "cff-version: 1.2.0\ntitle: x\n", None),
])
def test_formats_are_detected_by_content(tmp_path: Path, name: str, text: str,
                                         fmt: str | None) -> None:
    assert detect(tmp_path / name, text) == fmt


def test_directories_are_searched_recursively(tmp_path: Path) -> None:
    a = write(tmp_path, "d/b/x.txt", "")
    b = write(tmp_path, "d/a.yaml", "")
    write(tmp_path, "d/.git/config", "")
    assert list(iter_files([tmp_path / "d", a])) == [(b, False), (a, False), (a, True)]
    with pytest.raises(UnsupportedFile, match="neither a TagPack nor an address list"):
        read_file(write(tmp_path, "notes.md", "Some notes here.\n"))
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UnsupportedFile, match="not UTF-8"):
        read_file(binary)


def test_files_beyond_the_parsers_are_clear_errors(tmp_path: Path) -> None:
    """A JSON array nested 100,000 deep and a CSV whose unclosed quote swallows more than the
    csv module's field limit: a FormatError naming the file (the load names it and goes on
    with the rest), not a RecursionError or csv.Error that stops it (found by the bad-input
    review)."""
    from chaintrail.errors import FormatError

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(FormatError, match="nested too deeply") as e:
        read_file(deep)
    assert e.value.source == str(deep)
    huge = tmp_path / "huge.csv"
    huge.write_text("address,name\n" + f'{P2SH},"open\n' + "x" * (65 * 2**20) + "\n")
    with pytest.raises(FormatError, match="malformed CSV") as e:
        read_file(huge)
    assert e.value.source == str(huge)
