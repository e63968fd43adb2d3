"""Reading ethereum-etl exports: detection by content, exact values, errors with file and line,
and token metadata decoded from recorded eth_call answers."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from chaintrail.errors import FormatError
from loaders.ethereum.exports import NotAnExport, detect, iter_files, read_export
from loaders.ethereum.load import Collector
from loaders.ethereum.tokens import decode_decimals, decode_text
from tests.loaders.ethereum.conftest import expected, num

pytestmark = pytest.mark.shared

WITHDRAWALS = "test_export_blocks_job/blocks_with_transactions_and_withdrawals"


def test_kind_is_read_from_the_content_not_the_name(etl: Path, tmp_path: Path) -> None:
    cases = {
        "test_export_blocks_job/block_with_logs/expected_transactions.csv": "transactions",
        "test_export_blocks_job/block_with_logs/expected_blocks.csv": "blocks",
        "test_export_receipts_job/receipts_with_logs/expected_receipts.json": "receipts",
        "test_export_receipts_job/receipts_with_logs/expected_logs.csv": "logs",
        "test_export_token_transfers_job/block_with_transfers/expected_token_transfers.csv":
            "token_transfers",
        "test_export_traces_job/block_with_create/expected_traces.csv": "traces",
        "test_export_tokens_job/token_with_invalid_data/expected_tokens.csv": "tokens",
        "test_export_contracts_job/erc721_contract/expected_contracts.json": "contracts",
        "test_stream/blocks_17173049_17173050/expected_token_transfers.json": "token_transfers",
        "test_stream/blocks_508110_508110/expected_traces.json": "traces",
    }
    for i, (name, kind) in enumerate(cases.items()):
        misnamed = tmp_path / f"{i}.blocks.txt"
        shutil.copy(etl / name, misnamed)
        ef = detect(misnamed)
        assert ef is not None and ef.kind == kind, name
        assert ef.fmt == ("json" if name.endswith(".json") else "csv")


def test_a_directory_reads_its_exports_and_skips_the_rest(etl: Path, tmp_path: Path) -> None:
    folder = etl / "test_export_traces_job"
    names = sorted(ef.path.parent.name for ef in iter_files([folder]))
    # the empty export of block 0 and the recorded RPC answers are skipped
    assert names == ["block_with_create", "block_with_error", "block_with_subtraces",
                     "block_with_suicide"]
    with pytest.raises(NotAnExport, match=r"web3_response.*line 1: not an ethereum-etl export"):
        list(iter_files([next(folder.rglob("web3_response.*.json"))]))


def test_a_damaged_export_in_a_directory_is_an_error_not_skipped(etl: Path,
                                                                  tmp_path: Path) -> None:
    """A transactions export whose header lost one column (renamed, say) would be skipped as
    "not an export" and its block loaded without transactions: it is an error instead."""
    src = etl / "test_export_blocks_job/blocks_with_transactions/expected_transactions.csv"
    lines = src.read_text().splitlines()
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "tx.csv").write_text(
        "\n".join([lines[0].replace("from_address", "sender_address"), *lines[1:]]) + "\n")
    with pytest.raises(FormatError, match=r"tx\.csv line 1: looks like a transactions export "
                                          r"but has no from_address column"):
        list(iter_files([tmp_path / "d"]))
    # named, as a file: the same words, and with two columns gone both are named
    with pytest.raises(NotAnExport, match=r"tx\.csv line 1: not an ethereum-etl export: it "
                       r"looks like a transactions export but has no from_address column$"):
        list(iter_files([tmp_path / "d" / "tx.csv"]))
    (tmp_path / "d" / "tx.csv").write_text("\n".join([
        lines[0].replace("from_address", "sender").replace(",value,", ",amount,"),
        *lines[1:]]) + "\n")
    with pytest.raises(NotAnExport, match=r"looks like a transactions export but has no "
                                          r"from_address, value columns$"):
        list(iter_files([tmp_path / "d" / "tx.csv"]))


def test_csv_and_json_exports_of_the_same_blocks_read_the_same(etl: Path) -> None:
    folder = etl / WITHDRAWALS
    for kind in ("blocks", "transactions"):
        csv_ef, json_ef = detect(folder / f"expected_{kind}.csv"), detect(
            folder / f"expected_{kind}.json")
        assert csv_ef is not None and json_ef is not None
        from_csv = [replace(r, where="") for r in read_export(csv_ef)]  # type: ignore[type-var]
        from_json = [replace(r, where="") for r in read_export(json_ef)]  # type: ignore[type-var]
        assert from_csv == from_json and len(from_csv) in (2, 298)
    (block, _) = read_export(detect(folder / "expected_blocks.json"))  # type: ignore[arg-type]
    assert len(block.withdrawals) == 16  # type: ignore[union-attr]
    assert block.withdrawals[0].amount_gwei == 45762059  # type: ignore[union-attr]


def test_values_are_exact(etl: Path) -> None:
    path = etl / "test_stream/blocks_17173049_17173050/expected_token_transfers.json"
    ef = detect(path)
    assert ef is not None
    values = [r.value for r in read_export(ef)]  # type: ignore[union-attr]
    assert max(values) == 7786596450288373164569331648084  # beyond 64 bits, to the unit
    assert values == [num(r["value"]) for r in expected(path)]


def test_collector_keeps_one_of_two_equal_rows_and_refuses_conflicting_ones(
        etl: Path, tmp_path: Path) -> None:
    folder = etl / WITHDRAWALS
    c = Collector()
    for ef in iter_files([folder]):
        for rec in read_export(ef):
            c.add(ef.kind, rec)
    assert sorted(c.blocks) == [17173049, 17173050]
    assert sum(len(b.transactions) for b in c.blocks.values()) == 298
    rows = expected(folder / "expected_transactions.csv")
    rows[4]["value"] = str(int(rows[4]["value"]) + 1)  # line 6: one wei more
    changed = tmp_path / "changed.csv"
    with changed.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    c2 = Collector()
    with pytest.raises(FormatError, match=r"changed.csv line 6: conflicts with the row at "
                                          r".*expected_transactions.csv line 6"):
        for ef in iter_files([folder / "expected_transactions.csv", changed]):
            for rec in read_export(ef):
                c2.add(ef.kind, rec)


def _copy_with_line(src: Path, dst: Path, line: int, new: str) -> Path:
    lines = src.read_text().splitlines()
    lines[line - 1] = new
    dst.write_text("\n".join(lines) + "\n")
    return dst


def test_malformed_csv_row_names_file_and_line(etl: Path, tmp_path: Path) -> None:
    src = etl / "test_export_blocks_job/blocks_with_transactions/expected_transactions.csv"
    lines = src.read_text().splitlines()
    bad = _copy_with_line(src, tmp_path / "tx.csv", 3, lines[2].rsplit(",", 3)[0])
    ef = detect(bad)
    assert ef is not None
    with pytest.raises(FormatError, match=r"tx\.csv line 3: 12 fields where the header has 15"):
        list(read_export(ef))
    bad = _copy_with_line(src, tmp_path / "tx2.csv", 4,
                          lines[3].replace("0xe6a7a1d47ff21b6321162aea7c6cb457d5476bca", "0xe6a7"))
    with pytest.raises(FormatError, match=r"tx2\.csv line 4: from_address: '0xe6a7' is not an "
                                          r"address"):
        list(read_export(detect(bad)))  # type: ignore[arg-type]
    bad = _copy_with_line(src, tmp_path / "tx3.csv", 2, lines[1].replace(",40000,", ",-5,"))
    with pytest.raises(FormatError, match=r"tx3\.csv line 2: gas: -5 is negative"):
        list(read_export(detect(bad)))  # type: ignore[arg-type]
    bad = _copy_with_line(src, tmp_path / "tx4.csv", 2, lines[1].replace(",40000,",
                                                                         f",{2**256},"))
    with pytest.raises(FormatError, match=r"tx4\.csv line 2: gas: \d+ is above 2\^256-1"):
        list(read_export(detect(bad)))  # type: ignore[arg-type]


def test_truncated_json_line_names_file_and_line(etl: Path, tmp_path: Path) -> None:
    src = etl / "test_stream/blocks_1755634_1755635/expected_transactions.json"
    lines = src.read_text().splitlines()
    bad = _copy_with_line(src, tmp_path / "tx.json", 2, lines[1][: len(lines[1]) // 2])
    ef = detect(bad)
    assert ef is not None and ef.kind == "transactions"
    with pytest.raises(FormatError, match=r"tx\.json line 2: not a JSON object .*truncated"):
        list(read_export(ef))
    row = json.loads(lines[1])
    row["value"] = 1.5e18  # a float cannot be an exact amount
    bad = _copy_with_line(src, tmp_path / "tx2.json", 2, json.dumps(row))
    with pytest.raises(FormatError, match=r"tx2\.json line 2: value: .* is not an integer"):
        list(read_export(detect(bad)))  # type: ignore[arg-type]


@pytest.mark.parametrize("case", ["token_with_alternative_return_type", "token_with_invalid_data"])
def test_token_metadata_from_recorded_eth_calls(etl: Path, case: str) -> None:
    folder = etl / "test_export_tokens_job" / case
    (want,) = expected(folder / "expected_tokens.csv")

    def answer(selector: str) -> str:
        (f,) = folder.glob(f"web3_response.eth_call_data_{selector}_*.json")
        return str(json.loads(f.read_text())["result"])

    # bytes32 "EOS" or a string; ethereum-etl writes "" where we say None (unknown)
    assert decode_text(answer("0x95d89b41")) == (want["symbol"] or None)
    assert decode_text(answer("0x06fdde03")) == (want["name"] or None)
    assert decode_decimals(answer("0x313ce567")) == int(want["decimals"])


def test_token_answers_that_decode_to_nothing() -> None:
    assert decode_text(None) is None  # the call reverted
    assert decode_text("0x") is None
    assert decode_text("0x" + "00" * 31 + "20" + "00" * 32) is None  # an empty string
    assert decode_text("0x" + "00" * 32) is None  # bytes32 zeros
    assert decode_decimals("0x" + "ff" * 32) is None  # not a uint8
