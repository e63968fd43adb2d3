"""Bitcoin Core JSON-RPC source: `getblockhash` + `getblock <hash> 3` (or 2 on older nodes).

Every transaction comes as raw hex in the answer, so it goes through the same parser and the
same checks (merkle root, proof of work) as block files: a node's answer is verified, not
trusted. Verbosity 3 adds each input's `prevout` (value and script), so a range loaded alone
has the addresses and values of its inputs. An older node answers 2 instead: Core 22 and
before take 3 for 2 without an error (no `prevout` in the answer), some refuse it (-8). Their
inputs are then resolved with `getrawtransaction` (a node with `-txindex`), else from outputs
already in the database or loaded later.
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
from loaders.urls import shown

log = logging.getLogger(__name__)

RPC_INVALID_PARAMETER = -8
RPC_INVALID_ADDRESS_OR_KEY = -5
"""getrawtransaction's error for a transaction it cannot find (no -txindex, or unknown)."""
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
    without_prevout: int = 0
    """Inputs (not coinbase) the answer gave no `prevout` for: all of them at verbosity 2."""


class BitcoinRpc:
    """A small JSON-RPC 1.0 client over httpx (Bitcoin Core's dialect)."""

    def __init__(self, url: str, *, timeout_s: float = 60.0,
                 client: httpx.Client | None = None) -> None:
        self.url = shown(url)
        """For messages and sources: without the credentials the URL may carry."""
        self._endpoint = url
        self._client = client or httpx.Client(timeout=timeout_s)
        self._id = 0

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, *params: Any) -> Any:
        self._id += 1
        where = f"{self.url} {method}{list(params)}"
        try:
            resp = self._client.post(
                self._endpoint,
                json={"jsonrpc": "1.0", "id": self._id, "method": method, "params": list(params)},
            )
        except httpx.HTTPError as e:
            raise DatabaseUnavailable(f"bitcoin node at {self.url} unreachable: {e}") from e
        if resp.status_code in (401, 403):
            raise RpcError(f"the node refused the credentials (HTTP {resp.status_code}): check "
                           "the user and password in the URL (rpcauth, or the node's .cookie)",
                           source=where)
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


MALFORMED = (KeyError, IndexError, ValueError, TypeError, AttributeError, ArithmeticError,
             struct.error)
"""What reading a node's answer of the wrong shape raises (a missing field, a string where a
number belongs, a number out of its field's range, null for an object; Decimal's
InvalidOperation is an ArithmeticError): turned into a FormatError naming the request."""


def _sat(value: Any, where: str) -> int:
    try:  # anything that is not a number (a word, null, a list, true) is no Decimal
        amount = Decimal(str(value)) * SAT_PER_BTC
        whole = amount == amount.to_integral_value()
        negative = amount < 0
    except ArithmeticError:
        raise FormatError(f"amount {value!r} is not a number", source=where) from None
    if negative:
        raise FormatError(f"amount {value} is negative", source=where)
    if not whole:
        raise FormatError(f"amount {value} is not a whole number of satoshi", source=where)
    return int(amount)


def block_from_rpc(data: dict[str, Any], *, source: str, verbosity: int) -> RpcBlock:
    """A `getblock` verbosity 2/3 answer -> a parsed Block (from the raw tx hex) and prevouts."""
    if not isinstance(data, dict):
        raise FormatError(f"getblock answered {type(data).__name__}, not an object",
                          source=source)
    try:
        txs = []
        prevouts: list[Prevout] = []
        without = 0
        for t in data["tx"]:
            txs.append(parse_tx(bytes.fromhex(t["hex"]), source=f"{source} tx {t.get('txid')}"))
            for vin in t.get("vin", ()):
                p = vin.get("prevout")
                if "txid" not in vin:  # the coinbase
                    continue
                if p is None:
                    without += 1
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
        raw_header = struct.pack(
            "<i32s32sIII", header.version, bytes.fromhex(prev)[::-1],
            bytes.fromhex(header.merkle_root)[::-1], header.time, header.bits, header.nonce,
        )
        weight = int(data.get("weight") or sum(t.weight for t in txs) + 4 * 80)
        size = int(data["size"])
        height = data.get("height")
        if height is not None and (isinstance(height, bool) or not isinstance(height, int)):
            raise TypeError(f"height {height!r} is not an integer")
    except MALFORMED as e:
        raise FormatError(f"malformed getblock answer: {e!r}", source=source) from e
    computed = sha256(sha256(raw_header).digest()).digest()[::-1].hex()
    if computed != header.hash:
        raise FormatError(f"header fields hash to {computed}, not {header.hash}", source=source)
    block = Block(header=header, txs=tuple(txs), size=size, weight=weight, source=source,
                  height_hint=height)
    return RpcBlock(block, tuple(prevouts), verbosity, without)


class NoTxIndex(RpcError):
    """The node cannot look up confirmed transactions (it runs without -txindex)."""


def fetch_prevouts(rpc: BitcoinRpc, block: Block, cache: dict[str, Any]) -> list[Prevout]:
    """Prevouts of a verbosity-2 block's inputs, from `getrawtransaction <txid> true`.

    Needs a node with `-txindex` (NoTxIndex otherwise); inputs spent from the same block need
    no fetch. A transaction the node does not find leaves its inputs unresolved (logged),
    not the others. `cache` holds the verbose transactions already fetched in this run.
    """
    in_block = {t.txid for t in block.txs}
    out: list[Prevout] = []
    for tx in block.txs:
        if tx.is_coinbase:
            continue
        for i in tx.inputs:
            if i.prev_txid in in_block:
                continue
            prev = cache.get(i.prev_txid)
            if prev is None:
                try:
                    prev = rpc.call("getrawtransaction", i.prev_txid, True)
                except RpcError as e:
                    if e.code != RPC_INVALID_ADDRESS_OR_KEY:
                        raise
                    if "txindex" in str(e):  # Core: "... Use -txindex or provide a block hash"
                        raise NoTxIndex(str(e), source=e.source, code=e.code) from e
                    log.warning("%s: its inputs spending %s stay unresolved until that "
                                "output is loaded", e, i.prev_txid)
                    prev = {"missing": True}
                cache[i.prev_txid] = prev
            where = f"{rpc.url} getrawtransaction {i.prev_txid}"
            if not isinstance(prev, dict):
                raise FormatError(f"answered {type(prev).__name__}, not an object",
                                  source=where)
            if prev.get("missing"):
                continue
            try:
                vout = next(v for v in prev["vout"] if int(v["n"]) == i.vout)
                out.append(Prevout(
                    txid=i.prev_txid, vout=i.vout, value=_sat(vout["value"], where),
                    script_pubkey=bytes.fromhex(vout["scriptPubKey"]["hex"]),
                    coinbase=any("coinbase" in v for v in prev.get("vin", ())),
                ))
            except StopIteration:
                raise FormatError(f"no output {i.vout} in the answer", source=where) from None
            except MALFORMED as e:
                raise FormatError(f"malformed answer for output {i.vout}: {e!r}",
                                  source=where) from e
    return out


def iter_rpc_blocks(
    rpc: BitcoinRpc, start: int, end: int, *, fetch_prevouts_v2: bool = True
) -> Iterator[RpcBlock]:
    """Blocks `start..end` (inclusive) of the node's best chain, in height order.

    On a node that only answers verbosity 2, the inputs' prevouts are fetched with
    `getrawtransaction` (`fetch_prevouts_v2`); a node without `-txindex` refuses, and the
    inputs are then resolved from the database or by later loads.
    """
    verbosity = 3
    cache: dict[str, Any] = {}
    for height in range(start, end + 1):
        block_hash = rpc.call("getblockhash", height)
        if not isinstance(block_hash, str) or len(block_hash) != 64:
            raise FormatError(f"getblockhash answered {block_hash!r}, not a block hash",
                              source=f"{rpc.url} block {height}")
        try:
            data = rpc.call("getblock", block_hash, verbosity)
        except RpcError as e:
            if verbosity == 3 and e.code == RPC_INVALID_PARAMETER:
                log.info("node refuses getblock verbosity 3; using 2")
                verbosity = 2
                data = rpc.call("getblock", block_hash, verbosity)
            else:
                raise
        rb = block_from_rpc(data, source=f"{rpc.url} block {height}", verbosity=verbosity)
        if verbosity == 3 and rb.without_prevout and not rb.prevouts:
            log.info("node answers getblock verbosity 3 without prevouts (Bitcoin Core 22 or "
                     "before); using 2")
            verbosity = 2
            rb = RpcBlock(rb.block, (), verbosity, rb.without_prevout)
        if verbosity == 2 and fetch_prevouts_v2:
            try:
                prevouts = fetch_prevouts(rpc, rb.block, cache)
            except NoTxIndex as e:
                log.warning("getrawtransaction refused (%s): inputs stay unresolved until "
                            "their outputs are loaded; run the node with -txindex", e)
                fetch_prevouts_v2 = False
            else:
                rb = RpcBlock(rb.block, tuple(prevouts), verbosity)
        if len(cache) > 100_000:
            cache.clear()
        yield rb
