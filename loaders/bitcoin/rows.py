"""Pure transforms: parsed blocks and prevouts -> the row maps the load queries UNWIND.

No I/O and no database here, so the transform is tested on its own and the writer stays a thin
sequence of idempotent `UNWIND $rows ... MERGE` statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from loaders.bitcoin.model import Block, Prevout, TxOut
from loaders.bitcoin.network import Network
from loaders.bitcoin.script import classify_script
from loaders.bitcoin.verify import bip34_height

Row = dict[str, Any]

ADDRESS_TYPE_OF = {"p2pk": "p2pkh"}
"""The address kind an output's script type pays: a P2PK output counts for the P2PKH
address of its key (the explorer convention); every other type pays its own kind."""


@dataclass(slots=True)
class Rows:
    """The rows of one write batch, in the order they are written."""

    blocks: list[Row] = field(default_factory=list)
    txs: list[Row] = field(default_factory=list)
    outputs: list[Row] = field(default_factory=list)
    prevouts: list[Row] = field(default_factory=list)
    addresses: list[Row] = field(default_factory=list)
    spends: list[Row] = field(default_factory=list)

    @property
    def tx_count(self) -> int:
        return len(self.txs)

    def clear(self) -> None:
        for rows in (self.blocks, self.txs, self.outputs, self.prevouts, self.addresses,
                     self.spends):
            rows.clear()


def output_props(txid: str, out: TxOut, net: Network) -> tuple[Row, Row | None]:
    """Properties of one output, and its address row (None when the script pays no address)."""
    info = classify_script(out.script_pubkey, net)
    props: Row = {
        "txid": txid,
        "n": out.n,
        "value": out.value,
        "script_type": info.script_type,
        "address": info.address,
    }
    if info.pubkey is not None:
        props["pubkey"] = info.pubkey
    if info.address is None:
        # No address to hang it on: keep the script itself (OP_RETURN data, multisig keys).
        props["script"] = out.script_pubkey.hex()
    oid = f"{txid}:{out.n}"
    addr = None
    if info.address is not None:
        addr = {
            "id": oid,
            "address": info.address,
            "address_type": ADDRESS_TYPE_OF.get(info.script_type, info.script_type),
        }
    return props, addr


def block_rows(block: Block, net: Network, into: Rows) -> None:
    """Append the rows of one block to `into`."""
    h = block.header
    input_count = 0
    output_count = 0
    output_value = 0
    coinbase_value = 0
    for index, tx in enumerate(block.txs):
        tx_out_value = sum(o.value for o in tx.outputs)
        output_count += len(tx.outputs)
        output_value += tx_out_value
        if tx.is_coinbase:
            coinbase_value += tx_out_value
            n_in = 0
        else:
            n_in = len(tx.inputs)
            input_count += n_in
            for vin, i in enumerate(tx.inputs):
                into.spends.append({
                    "txid": tx.txid,
                    "vin": vin,
                    "prev_id": f"{i.prev_txid}:{i.vout}",
                    "prev_txid": i.prev_txid,
                    "prev_vout": i.vout,
                })
        props: Row = {
            "version": tx.version,
            "locktime": tx.locktime,
            "size": tx.size,
            "vsize": tx.vsize,
            "weight": tx.weight,
            "is_coinbase": tx.is_coinbase,
            "input_count": n_in,
            "output_count": len(tx.outputs),
            "output_value": tx_out_value,
        }
        if tx.is_coinbase:
            props["coinbase"] = tx.inputs[0].script_sig.hex()
        into.txs.append({"txid": tx.txid, "block_hash": h.hash, "index": index, "props": props})
        for out in tx.outputs:
            oprops, addr = output_props(tx.txid, out, net)
            into.outputs.append({"id": f"{tx.txid}:{out.n}", "txid": tx.txid, "props": oprops})
            if addr is not None:
                into.addresses.append(addr)
    into.blocks.append({
        "hash": h.hash,
        "prev_hash": h.prev_hash,
        "version": h.version,
        "merkle_root": h.merkle_root,
        "time": h.time,
        "bits": f"{h.bits:08x}",
        "nonce": h.nonce,
        "size": block.size,
        "weight": block.weight,
        "tx_count": len(block.txs),
        "input_count": input_count,
        "output_count": output_count,
        "output_value": output_value,
        "coinbase_value": coinbase_value,
        "bip34_height": bip34_height(block),
        "height_hint": block.height_hint,
        "network": net.name,
        "source": block.source,
    })


def prevout_rows(prevouts: Iterable[Prevout], net: Network, into: Rows) -> None:
    """Append rows for outputs known from prevouts (value and script, creator not loaded)."""
    for p in prevouts:
        props, addr = output_props(p.txid, TxOut(p.vout, p.value, p.script_pubkey), net)
        if p.height is not None:
            props["prevout_height"] = p.height
        if p.coinbase is not None:
            props["from_coinbase"] = p.coinbase
        into.prevouts.append({"id": f"{p.txid}:{p.vout}", "props": props})
        if addr is not None:
            into.addresses.append(addr)
