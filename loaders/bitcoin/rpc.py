"""Bitcoin Core JSON-RPC source: `getblockhash` + `getblock <hash> 3` (or 2 on older nodes).

Every transaction comes as raw hex in the answer, so it goes through the same parser and the
same checks (merkle root, proof of work) as block files: a node's answer is verified, not
trusted. Verbosity 3 adds each input's `prevout` (value and script), so a range loaded alone
has the addresses and values of its inputs; an older node refuses 3 and answers 2, whose inputs
are resolved from outputs already in the database or loaded later.
"""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha256
from typing import Any

import httpx

from chaintrail.errors import DatabaseUnavailable, FormatError, InputError
from loaders.bitcoin.model import Block, BlockHeader, Prevout
from loaders.bitcoin.parse import parse_tx

log = logging.getLogger(__name__)

RPC_INVALID_PARAMETER = -8
SAT_PER_BTC = Decimal(100_000_000)


class RpcError(InputError):
    """The node answered with an error, or with something that is not a JSON-RPC answer."""

    def __init__(self, message: str, *, source: str, code: int | None = None) -> None:
        super().__init__(message, source=source)
        self.code = code


@dataclass(frozen=True, slots=True)
class RpcBlock:
    block: Block
    prevouts: tuple[Prevout, ...]
    verbosity: int


class BitcoinRpc:
    """A small JSON-RPC 1.0 client over httpx (Bitcoin Core's dialect)."""

    def __init__(self, url: str, *, timeout_s: float = 60.0,
                 client: httpx.Client | None = None) -> None:
        self.url = url
        self._client = client or httpx.Client(timeout=timeout_s)
        self._id = 0

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, *params: Any) -> Any:
        self._id += 1
        where = f"{self.url} {method}{list(params)}"
        try:
            resp = self._client.post(
                self.url,
                json={"jsonrpc": "1.0", "id": self._id, "method": method, "params": list(params)},
            )
        except httpx.HTTPError as e:
            raise DatabaseUnavailable(f"bitcoin node at {self.url} unreachable: {e}") from e
        try:
            # Amounts are decimals in BTC: parse them exactly, never as floats.
            body = json.loads(resp.content, parse_float=Decimal)
        except ValueError as e:
            raise RpcError(f"not JSON (HTTP {resp.status_code})", source=where) from e
        if not isinstance(body, dict):
            raise RpcError("not a JSON-RPC answer", source=where)
        if body.get("error"):
            error = body["error"]
            code = error.get("code") if isinstance(error, dict) else None
            msg = error.get("message") if isinstance(error, dict) else str(error)
            raise RpcError(f"node error {code}: {msg}", source=where, code=code)
        if resp.status_code != 200:
            raise RpcError(f"HTTP {resp.status_code}", source=where)
        return body.get("result")


def _sat(value: Any, where: str) -> int:
    amount = Decimal(str(value)) * SAT_PER_BTC
    if amount != amount.to_integral_value() or amount < 0:
        raise FormatError(f"amount {value} is not a whole number of satoshi", source=where)
    return int(amount)


def block_from_rpc(data: dict[str, Any], *, source: str, verbosity: int) -> RpcBlock:
    """A `getblock` verbosity 2/3 answer -> a parsed Block (from the raw tx hex) and prevouts."""
    try:
        txs = []
        prevouts: list[Prevout] = []
        for t in data["tx"]:
            txs.append(parse_tx(bytes.fromhex(t["hex"]), source=f"{source} tx {t.get('txid')}"))
            for vin in t.get("vin", ()):
                p = vin.get("prevout")
                if p is None or "txid" not in vin:
                    continue
                spk = p.get("scriptPubKey", {})
                prevouts.append(Prevout(
                    txid=vin["txid"], vout=int(vin["vout"]), value=_sat(p["value"], source),
                    script_pubkey=bytes.fromhex(spk.get("hex", "")),
                    height=p.get("height"), coinbase=p.get("generated"),
                ))
        prev = data.get("previousblockhash", "0" * 64)
        header = BlockHeader(
            hash=data["hash"], version=int(data["version"]), prev_hash=prev,
            merkle_root=data["merkleroot"], time=int(data["time"]), bits=int(data["bits"], 16),
            nonce=int(data["nonce"]),
        )
    except (KeyError, ValueError, TypeError) as e:
        raise FormatError(f"malformed getblock answer: {e!r}", source=source) from e
    raw_header = struct.pack(
        "<i32s32sIII", header.version, bytes.fromhex(prev)[::-1],
        bytes.fromhex(header.merkle_root)[::-1], header.time, header.bits, header.nonce,
    )
    computed = sha256(sha256(raw_header).digest()).digest()[::-1].hex()
    if computed != header.hash:
        raise FormatError(f"header fields hash to {computed}, not {header.hash}", source=source)
    weight = int(data.get("weight") or sum(t.weight for t in txs) + 4 * 80)
    block = Block(
        header=header, txs=tuple(txs), size=int(data["size"]), weight=weight, source=source,
        height_hint=data.get("height"),
    )
    return RpcBlock(block, tuple(prevouts), verbosity)


def iter_rpc_blocks(rpc: BitcoinRpc, start: int, end: int) -> Iterator[RpcBlock]:
    """Blocks `start..end` (inclusive) of the node's best chain, in height order."""
    verbosity = 3
    for height in range(start, end + 1):
        block_hash = rpc.call("getblockhash", height)
        try:
            data = rpc.call("getblock", block_hash, verbosity)
        except RpcError as e:
            if verbosity == 3 and e.code == RPC_INVALID_PARAMETER:
                log.info("node refuses getblock verbosity 3; using 2 (inputs resolved later)")
                verbosity = 2
                data = rpc.call("getblock", block_hash, verbosity)
            else:
                raise
        yield block_from_rpc(data, source=f"{rpc.url} block {height}", verbosity=verbosity)
