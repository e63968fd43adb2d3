"""Ethereum JSON-RPC source: blocks with their transactions, receipts and traces.

Per block: `eth_getBlockByNumber(n, true)` (full transactions), the receipts
(`eth_getBlockReceipts` where the node has it, else `eth_getTransactionReceipt` for each
transaction, sent as one JSON-RPC batch), and the internal transfers from the best trace
method the node offers, probed once per run, in this order:

1. `trace_block` (Erigon, Nethermind, OpenEthereum, reth): flat traces with rewards;
2. `debug_traceBlockByNumber` with `{"tracer": "callTracer"}` (geth);
3. `debug_traceTransaction` with the call tracer, one transaction at a time;
4. `debug_traceTransaction` with the default struct-log tracer (ganache): value transfers
   derived from the opcodes (see loaders.ethereum.traces);
5. none: a log line says internal transfers are not loaded.

Token metadata (symbol, name, decimals) comes from `eth_call` at `latest` for each token
contract seen, tolerating contracts that answer in bytes32 or revert (loaders.ethereum.tokens).
Any error for a block (a node error, a malformed answer) raises an InputError naming the block
before anything of it reaches the writer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import httpx

from chaintrail.errors import DatabaseUnavailable, FormatError, InputError
from loaders.ethereum.model import (
    BlockData,
    BlockHeader,
    Log,
    Receipt,
    Token,
    Trace,
    Transaction,
    Withdrawal,
)
from loaders.ethereum.tokens import SELECTORS, decode_decimals, decode_text
from loaders.ethereum.traces import (
    call_tracer_traces,
    parity_traces,
    quantity,
    struct_log_traces,
)
from loaders.urls import shown

log = logging.getLogger(__name__)

TRACE_METHODS: Final = ("trace_block", "debug_traceBlockByNumber", "debug_traceTransaction",
                        "debug_traceTransaction/structLogs")
CALL_TRACER: Final = {"tracer": "callTracer"}
STRUCT_LOG_OPTIONS: Final = {"disableStorage": True, "disableMemory": True,
                             "enableMemory": False, "enableReturnData": False}


class RpcError(InputError):
    """The node answered with an error, or with something that is not a JSON-RPC answer."""

    def __init__(self, message: str, *, source: str, code: int | None = None) -> None:
        super().__init__(message, source=source)
        self.code = code


class EthRpc:
    """A small JSON-RPC 2.0 client over httpx, with batches."""

    def __init__(self, url: str, *, timeout_s: float = 120.0,
                 client: httpx.Client | None = None) -> None:
        self.url = shown(url)
        """For messages and sources: without the credentials the URL may carry."""
        self._endpoint = url
        self._client = client or httpx.Client(timeout=timeout_s)
        self._id = 0
        self.batches = True

    def close(self) -> None:
        self._client.close()

    def _post(self, payload: Any, where: str) -> Any:
        try:
            resp = self._client.post(self._endpoint, json=payload)
        except httpx.HTTPError as e:
            raise DatabaseUnavailable(f"ethereum node at {self.url} unreachable: {e}") from e
        try:
            return resp.status_code, json.loads(resp.content, parse_float=Decimal)
        except ValueError as e:
            raise RpcError(f"not JSON (HTTP {resp.status_code})", source=where) from e

    def _result(self, body: Any, status: int, where: str) -> Any:
        if not isinstance(body, dict) or ("result" not in body and "error" not in body):
            raise RpcError(f"not a JSON-RPC answer (HTTP {status})", source=where)
        if body.get("error"):
            error = body["error"]
            code = error.get("code") if isinstance(error, dict) else None
            msg = error.get("message") if isinstance(error, dict) else str(error)
            raise RpcError(f"node error {code}: {msg}", source=where, code=code)
        return body.get("result")

    def call(self, method: str, *params: Any) -> Any:
        self._id += 1
        where = f"{self.url} {method}{json.dumps(list(params))}"
        status, body = self._post(
            {"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}, where)
        return self._result(body, status, where)

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several calls in one request (one at a time on a node without batches); each
        item is the result or the RpcError of its call."""
        if not calls:
            return []
        if self.batches and len(calls) > 1:
            first = self._id + 1
            payload = [{"jsonrpc": "2.0", "id": first + i, "method": m, "params": list(p)}
                       for i, (m, p) in enumerate(calls)]
            self._id += len(calls)
            status, body = self._post(payload, f"{self.url} batch of {len(calls)}")
            if isinstance(body, list):
                by_id = {item.get("id"): item for item in body if isinstance(item, dict)}
                out: list[Any] = []
                for i, (m, p) in enumerate(calls):
                    where = f"{self.url} {m}{json.dumps(list(p))}"
                    item = by_id.get(first + i)
                    try:
                        if item is None:
                            raise RpcError("no answer in the batch", source=where)
                        out.append(self._result(item, status, where))
                    except RpcError as e:
                        out.append(e)
                return out
            log.info("%s does not answer JSON-RPC batches; calling one at a time", self.url)
            self.batches = False
        results: list[Any] = []
        for m, p in calls:
            try:
                results.append(self.call(m, *p))
            except RpcError as e:
                results.append(e)
        return results


def _ok(result: Any) -> Any:
    if isinstance(result, RpcError):
        raise result
    return result


# -- answers -> model -----------------------------------------------------------------------
def _addr(v: Any) -> str | None:
    return v.lower() if isinstance(v, str) and v else None


def _opt(d: Mapping[str, Any], key: str, where: str) -> int | None:
    v = d.get(key)
    return None if v is None else quantity(v, key, where)


def header_from_rpc(b: Mapping[str, Any], where: str) -> BlockHeader:
    try:
        withdrawals = tuple(
            Withdrawal(index=quantity(w["index"], "index", where),
                       validator_index=quantity(w["validatorIndex"], "validatorIndex", where),
                       address=str(w["address"]).lower(),
                       amount_gwei=quantity(w["amount"], "amount", where))
            for w in b.get("withdrawals") or ())
        return BlockHeader(
            number=quantity(b["number"], "number", where), hash=str(b["hash"]).lower(),
            parent_hash=str(b["parentHash"]).lower(),
            timestamp=quantity(b["timestamp"], "timestamp", where),
            miner=str(b.get("miner") or b.get("author")).lower(),
            transaction_count=len(b.get("transactions") or ()),
            gas_used=_opt(b, "gasUsed", where), base_fee_per_gas=_opt(b, "baseFeePerGas", where),
            withdrawals=withdrawals, where=where,
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise FormatError(f"malformed block: {e!r}", source=where) from e


def transaction_from_rpc(t: Mapping[str, Any], block: BlockHeader, where: str) -> Transaction:
    try:
        at = f"{where} tx {t.get('hash')}"
        return Transaction(
            hash=str(t["hash"]).lower(), block_number=block.number,
            transaction_index=quantity(t["transactionIndex"], "transactionIndex", at),
            from_address=str(t["from"]).lower(), to_address=_addr(t.get("to")),
            value=quantity(t.get("value", "0x0"), "value", at),
            nonce=quantity(t["nonce"], "nonce", at), gas=_opt(t, "gas", at),
            gas_price=_opt(t, "gasPrice", at), max_fee_per_gas=_opt(t, "maxFeePerGas", at),
            max_priority_fee_per_gas=_opt(t, "maxPriorityFeePerGas", at),
            transaction_type=_opt(t, "type", at), block_hash=block.hash,
            block_timestamp=block.timestamp, where=at,
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise FormatError(f"malformed transaction: {e!r}", source=where) from e


def receipt_from_rpc(r: Mapping[str, Any], block: int, where: str) -> tuple[Receipt, list[Log]]:
    try:
        tx_hash = str(r["transactionHash"]).lower()
        at = f"{where} receipt {tx_hash}"
        index = _opt(r, "transactionIndex", at)
        blob_used, blob_price = _opt(r, "blobGasUsed", at), _opt(r, "blobGasPrice", at)
        receipt = Receipt(
            transaction_hash=tx_hash, transaction_index=index, block_number=block,
            status=_opt(r, "status", at), gas_used=_opt(r, "gasUsed", at),
            effective_gas_price=_opt(r, "effectiveGasPrice", at),
            contract_address=_addr(r.get("contractAddress")),
            blob_fee=blob_used * blob_price if blob_used and blob_price else None, where=at,
        )
        logs = [Log(transaction_hash=tx_hash, transaction_index=index,
                    log_index=quantity(lg["logIndex"], "logIndex", at), block_number=block,
                    address=str(lg["address"]).lower(),
                    topics=tuple(str(x).lower() for x in lg.get("topics") or ()),
                    data=str(lg.get("data") or "0x").lower(), where=at)
                for lg in r.get("logs") or ()]
    except (KeyError, TypeError, AttributeError) as e:
        raise FormatError(f"malformed receipt: {e!r}", source=where) from e
    return receipt, logs


# -- the source -------------------------------------------------------------------------------
@dataclass(slots=True)
class _Probe:
    receipts: str | None = None  # eth_getBlockReceipts or eth_getTransactionReceipt
    traces: str | None = None  # one of TRACE_METHODS, "none", or None (not probed yet)
    block_level_failed: bool = False


class EthereumRpcSource:
    """Blocks `start..end` of a node, each as a BlockData ready for the transform."""

    def __init__(self, rpc: EthRpc, *, traces: bool = True) -> None:
        self.rpc = rpc
        self.probe = _Probe(traces=None if traces else "none")

    @property
    def trace_method(self) -> str | None:
        return self.probe.traces

    def blocks(self, start: int, end: int) -> Iterator[BlockData]:
        for number in range(start, end + 1):
            yield self.block(number)

    def block(self, number: int) -> BlockData:
        where = f"{self.rpc.url} block {number}"
        try:
            raw = self.rpc.call("eth_getBlockByNumber", hex(number), True)
        except RpcError as e:
            raise RpcError(f"eth_getBlockByNumber: {e.reason}", source=where, code=e.code) from e
        if not isinstance(raw, dict):
            raise InputError("no such block (beyond the node's head?)", source=where)
        header = header_from_rpc(raw, where)
        if header.number != number:
            raise FormatError(f"the node answered block {header.number}", source=where)
        data = BlockData(number, header=header,
                         parts={"blocks", "transactions", "receipts", "logs"})
        raw_txs = raw.get("transactions") or []
        if any(not isinstance(t, dict) for t in raw_txs):
            raise FormatError("transactions without their bodies", source=where)
        txs = [transaction_from_rpc(t, header, where) for t in raw_txs]
        data.transactions = {t.hash: t for t in txs}
        try:
            for receipt, logs in self._receipts(number, txs, where):
                data.receipts[receipt.transaction_hash] = receipt
                data.logs.extend(logs)
            missing = [t.hash for t in txs if t.hash not in data.receipts]
            if missing:
                raise InputError(f"no receipt for {missing[0]}", source=where)
            traces = self._traces(data, txs, where)
        except RpcError as e:
            raise RpcError(e.reason, source=f"{where}: {e.source}", code=e.code) from e
        if traces is not None:
            data.traces = traces
            data.parts.add("traces")
        return data

    # -- receipts -----------------------------------------------------------------------------
    def _receipts(self, number: int, txs: list[Transaction], where: str
                  ) -> list[tuple[Receipt, list[Log]]]:
        if not txs:
            return []
        if self.probe.receipts in (None, "eth_getBlockReceipts"):
            try:
                answer = self.rpc.call("eth_getBlockReceipts", hex(number))
                if not isinstance(answer, list):
                    raise RpcError("not a list", source=where)
            except RpcError:
                if self.probe.receipts is not None:
                    raise
                self.probe.receipts = "eth_getTransactionReceipt"
                log.info("receipts: eth_getTransactionReceipt per transaction "
                         "(the node has no eth_getBlockReceipts)")
            else:
                if self.probe.receipts is None:
                    log.info("receipts: eth_getBlockReceipts")
                self.probe.receipts = "eth_getBlockReceipts"
                return [receipt_from_rpc(r, number, where) for r in answer]
        answers = self.rpc.batch([("eth_getTransactionReceipt", [t.hash]) for t in txs])
        out = []
        for t, a in zip(txs, answers, strict=True):
            r = _ok(a)
            if not isinstance(r, dict):
                raise InputError(f"no receipt for {t.hash}", source=where)
            out.append(receipt_from_rpc(r, number, where))
        return out

    # -- traces -------------------------------------------------------------------------------
    def _traces(self, data: BlockData, txs: list[Transaction], where: str
                ) -> list[Trace] | None:
        p = self.probe
        if p.traces == "none":
            return None
        if p.traces is None and not p.block_level_failed:
            for method in TRACE_METHODS[:2]:
                try:
                    traces = self._trace_with(method, data, txs, where)
                except RpcError as e:
                    log.debug("%s not offered: %s", method, e)
                    continue
                self._chosen(method)
                return traces
            p.block_level_failed = True
        if p.traces is None:
            if not txs:
                return None  # per-transaction tracers are probed on a transaction
            for method in TRACE_METHODS[2:]:
                try:
                    traces = self._trace_with(method, data, txs, where)
                except RpcError as e:
                    log.debug("%s not offered: %s", method, e)
                    continue
                self._chosen(method)
                return traces
            p.traces = "none"
            log.warning("the node offers no tracing (trace_block, debug_traceBlockByNumber, "
                        "debug_traceTransaction): internal transfers are not loaded")
            return None
        return self._trace_with(p.traces, data, txs, where)

    def _chosen(self, method: str) -> None:
        self.probe.traces = method
        log.info("internal transfers from %s", method)

    def _trace_with(self, method: str, data: BlockData, txs: list[Transaction], where: str
                    ) -> list[Trace]:
        number = data.number
        if method == "trace_block":
            answer = self.rpc.call("trace_block", hex(number))
            if not isinstance(answer, list):
                raise RpcError("trace_block: not a list", source=where)
            return parity_traces(answer, number, where)
        if method == "debug_traceBlockByNumber":
            answer = self.rpc.call("debug_traceBlockByNumber", hex(number), CALL_TRACER)
            if not isinstance(answer, list) or len(answer) != len(txs):
                raise RpcError("debug_traceBlockByNumber: not one result per transaction",
                               source=where)
            out: list[Trace] = []
            for t, item in zip(txs, answer, strict=True):
                tree = item.get("result") if isinstance(item, dict) else None
                if not isinstance(tree, dict):
                    raise RpcError(f"no call trace for {t.hash}: {item!r:.200}", source=where)
                out += call_tracer_traces(tree, t.hash, t.transaction_index, number, where)
            return out
        if method == "debug_traceTransaction":
            answers = self.rpc.batch([(method, [t.hash, CALL_TRACER]) for t in txs])
            out = []
            for t, a in zip(txs, answers, strict=True):
                tree = _ok(a)
                if not isinstance(tree, dict) or "structLogs" in tree:
                    raise RpcError("not a call trace", source=where)
                out += call_tracer_traces(tree, t.hash, t.transaction_index, number, where)
            return out
        return self._struct_logs(data, txs, where)

    def _struct_logs(self, data: BlockData, txs: list[Transaction], where: str) -> list[Trace]:
        """Struct logs, one transaction at a time (they are large); a self-destructing
        contract's amount is its balance at the end of the previous block plus what this
        block moved to and from it before (see docs/ethereum.md for what that misses)."""
        out: list[Trace] = []
        moved: dict[str, int] = {}
        for t in txs:
            result = _ok(self.rpc.batch([("debug_traceTransaction",
                                          [t.hash, STRUCT_LOG_OPTIONS])])[0])
            if not isinstance(result, dict) or "structLogs" not in result:
                raise RpcError("no structLogs in the answer", source=where)
            receipt = data.receipts.get(t.hash)
            ok = receipt is None or receipt.status != 0
            top = t.to_address or (receipt.contract_address if receipt else None)

            def balance_of(address: str, t: Transaction = t, ok: bool = ok) -> int | None:
                try:
                    before = quantity(self.rpc.call("eth_getBalance", address,
                                                    hex(data.number - 1)), "balance", where)
                except (RpcError, FormatError):
                    return None
                here = t.value if ok and t.to_address == address else 0
                return before + moved.get(address, 0) + here

            traces = struct_log_traces(
                result, tx_hash=t.hash, tx_index=t.transaction_index, block_number=data.number,
                sender=t.from_address, top_address=top,
                top_kind="call" if t.to_address else "create", value=t.value, where=where,
                balance_of=balance_of)
            if ok:
                for tr in traces:
                    if tr.status and tr.value and tr.from_address and tr.to_address and (
                            tr.call_type not in ("delegatecall", "callcode", "staticcall")):
                        moved[tr.from_address] = moved.get(tr.from_address, 0) - tr.value
                        moved[tr.to_address] = moved.get(tr.to_address, 0) + tr.value
            out += traces
        return out


class NodeGenesis:
    """Block 0's state as the node tells it (loaders.ethereum.load.GenesisSource): its own
    accounts (`eth_accounts`) and `eth_getBalance(account, "0x0")`, in JSON-RPC batches."""

    def __init__(self, rpc: EthRpc) -> None:
        self.rpc = rpc

    def node_accounts(self) -> list[str]:
        try:
            answer = self.rpc.call("eth_accounts")
        except RpcError as e:
            log.debug("eth_accounts not answered: %s", e)
            return []
        if not isinstance(answer, list):
            return []
        return [a.lower() for a in answer if isinstance(a, str) and len(a) == 42]

    def balances(self, addresses: Sequence[str]) -> dict[str, int | None]:
        answers = self.rpc.batch([("eth_getBalance", [a, "0x0"]) for a in addresses])
        out: dict[str, int | None] = {}
        for a, answer in zip(addresses, answers, strict=True):
            if isinstance(answer, RpcError):
                log.debug("eth_getBalance(%s, 0): %s", a, answer)
                out[a] = None
                continue
            try:
                out[a] = quantity(answer, "balance", f"{self.rpc.url} eth_getBalance {a} 0x0")
            except FormatError as e:
                log.debug("%s", e)
                out[a] = None
        return out


def fetch_tokens(rpc: EthRpc, addresses: set[str]) -> list[Token]:
    """symbol(), name() and decimals() of each token contract at `latest`, one batch; what
    a contract does not answer (or answers in no known shape) stays None."""
    order = sorted(addresses)
    calls = [("eth_call", [{"data": sel, "to": a}, "latest"])
             for a in order for sel in SELECTORS.values()]
    answers = rpc.batch(calls)
    out = []
    for i, a in enumerate(order):
        sym, name, dec = (None if isinstance(x, RpcError) else x
                          for x in answers[3 * i: 3 * i + 3])
        out.append(Token(address=a, symbol=decode_text(sym), name=decode_text(name),
                         decimals=decode_decimals(dec), where=f"{rpc.url} eth_call {a}"))
    return out


def token_fetcher(rpc: EthRpc) -> Callable[[set[str]], list[Token]]:
    return lambda addresses: fetch_tokens(rpc, addresses)
