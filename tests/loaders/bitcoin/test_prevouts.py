"""Prevout JSON lines: the real files resolve every input of their blocks; bad lines are named."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from chaintrail.errors import FormatError
from loaders.bitcoin.model import Block, Prevout
from loaders.bitcoin.network import MAINNET
from loaders.bitcoin.prevouts import read_prevouts
from loaders.bitcoin.script import classify_script
from loaders.bitcoin.sources import iter_blocks

COUNTS = {
    "0277647.jsonl": 732,
    "0388381.jsonl": 1576,
    "0419328.jsonl": 4398,
    "0481824.jsonl": 4897,
    "0692261.jsonl": 6157,
    "0709632.jsonl": 6303,
}


def subsidy(height: int) -> int:
    return (50 * 100_000_000) >> (height // 210_000)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_prevout_files(bitcoin_data: Path, name: str) -> None:
    prevouts = list(read_prevouts(bitcoin_data / "prevouts" / name))
    assert len(prevouts) == COUNTS[name]
    assert len({(p.txid, p.vout) for p in prevouts}) == len(prevouts)
    assert all(isinstance(p.value, int) and p.height is not None for p in prevouts)


def block_of(bitcoin_data: Path, height: int) -> Block:
    raw = bitcoin_data / "raw" / f"{height:07d}.raw"
    if raw.exists():
        (sourced,) = iter_blocks(raw)
    else:
        (sourced,) = iter_blocks(bitcoin_data / "blk" / f"btcd-{height}.dat.bz2")
    return sourced.block


@pytest.mark.parametrize("height", [277647, 388381, 419328, 709632])
def test_prevouts_resolve_their_block(bitcoin_data: Path, height: int) -> None:
    """With the prevouts, every input has a value and a script: the inputs facts follow."""
    facts: dict[str, Any] = json.loads(
        (bitcoin_data / "facts" / f"{height:07d}.inputs.facts.json").read_text()
    )
    block = block_of(bitcoin_data, height)
    assert block.hash == facts["block_hash"]
    prevouts = read_prevouts(bitcoin_data / "prevouts" / f"{height:07d}.jsonl")
    known: dict[tuple[str, int], Prevout] = {(p.txid, p.vout): p for p in prevouts}
    for tx in block.txs:
        for o in tx.outputs:
            known.setdefault((tx.txid, o.n), Prevout(tx.txid, o.n, o.value, o.script_pubkey))
    in_sum, fees, types, addresses = 0, [], Counter[str](), set()
    for tx in block.txs[1:]:
        spent = [known[(i.prev_txid, i.vout)] for i in tx.inputs]
        value_in = sum(p.value for p in spent)
        in_sum += value_in
        fees.append(value_in - sum(o.value for o in tx.outputs))
        for p in spent:
            info = classify_script(p.script_pubkey, MAINNET)
            types[info.script_type] += 1
            if info.address is not None:
                addresses.add(info.address)
    assert in_sum == facts["input_value_sum_sat"]
    assert sum(fees) == facts["total_fees_sat"] and max(fees) == facts["max_tx_fee_sat"]
    assert min(fees) >= 0
    coinbase_value = sum(o.value for o in block.txs[0].outputs)
    assert coinbase_value - subsidy(height) == sum(fees)
    assert dict(types) == facts["input_script_types"]
    assert len(addresses) == facts["distinct_input_addresses"]


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


GOOD = (
    '{"txid":"' + "ab" * 32 + '","vout":1,"value":5000,"script_pubkey":"76a914'
    + "00" * 20 + '88ac","height":10,"coinbase":false}'
)  # fmt: skip


def test_good_lines_and_optional_fields(tmp_path: Path) -> None:
    minimal = '{"txid":"' + "CD" * 32 + '","vout":0,"value":0,"script_pubkey":""}'
    path = write(tmp_path, GOOD, "", minimal)
    first, second = read_prevouts(path)
    assert first == Prevout("ab" * 32, 1, 5000, bytes.fromhex("76a914" + "00" * 20 + "88ac"), 10,
                            False)  # fmt: skip
    assert second == Prevout("cd" * 32, 0, 0, b"", None, None)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (GOOD.replace('"value":5000', '"value":5000.0'), "value must be an integer"),
        (GOOD.replace('"value":5000', '"value":5e3'), "value must be an integer"),
        (GOOD.replace('"value":5000', '"value":-1'), "out of range"),
        (GOOD.replace('"value":5000', '"value":2100000000000001'), "out of range"),
        (GOOD.replace('"value":5000', '"value":true'), "value must be an integer"),
        (GOOD.replace('"value":5000', '"value":"5000"'), "value must be an integer"),
        (GOOD.replace('"value":5000', '"value":NaN'), "NaN is not a number"),
        (GOOD.replace('"vout":1', '"vout":4294967296'), "vout .* out of range"),
        (GOOD.replace('"vout":1,', ""), "missing field 'vout'"),
        (GOOD.replace('"script_pubkey"', '"spk"'), "missing field 'script_pubkey'"),
        (GOOD.replace('76a914', '76a91'), "script_pubkey must be a hex string"),
        (GOOD.replace('"ab', '"zz'), "txid must be a hex string"),
        (GOOD.replace("ab" * 32, "ab" * 31), "txid must be 64"),
        (GOOD.replace('"coinbase":false', '"coinbase":0'), "coinbase must be true or false"),
        (GOOD.replace('"height":10', '"height":1.5'), "height must be an integer"),
        (GOOD[:-1], "Expecting"),
        ("[1, 2]", "not a JSON object"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, reason: str) -> None:
    path = write(tmp_path, GOOD, GOOD, line)
    with pytest.raises(FormatError, match=reason) as e:
        list(read_prevouts(path))
    assert (e.value.source, e.value.line) == (str(path), 3)
    assert f"{path} line 3" in str(e.value)


def test_bad_encoding(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(GOOD.encode() + b"\n\xff\xfe\n")
    with pytest.raises(FormatError) as e:
        list(read_prevouts(path))
    assert e.value.line == 2
