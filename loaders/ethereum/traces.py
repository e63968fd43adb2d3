"""Call trees from a node -> flat `Trace`s in ethereum-etl's terms (pure functions).

Three shapes, from the richest to the poorest:
- Parity/OpenEthereum/Erigon/Nethermind `trace_block`: already flat, with block and uncle
  rewards and the balance a self-destruct sends;
- geth's `callTracer` (`debug_traceBlockByNumber` / `debug_traceTransaction`): one nested call
  tree per transaction, flattened here with ethereum-etl's trace addresses;
- the default struct-log tracer (`debug_traceTransaction`, all ganache offers): one step per
  opcode. Value transfers are read off the CALL, CALLCODE, CREATE, CREATE2 and SELFDESTRUCT
  steps and their stack arguments; whether a call succeeded is the word its caller finds on
  top of the stack on the next step at the caller's depth (0: it failed or reverted).
  A self-destruct's amount (the contract's balance) is not in the steps: `balance_of` supplies
  it when it can.
Statuses are computed as ethereum-etl does: a call fails when it or an ancestor has an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from chaintrail.errors import FormatError
from loaders.ethereum.model import Trace
from loaders.ethereum.rows import trace_statuses

log = logging.getLogger(__name__)

CALL_OPS = frozenset({"CALL", "CALLCODE", "DELEGATECALL", "STATICCALL", "CREATE", "CREATE2"})


def quantity(value: Any, what: str, where: str) -> int:
    """A JSON-RPC quantity (`0x` hex) or a plain integer, exactly."""
    if isinstance(value, bool):
        raise FormatError(f"{what}: {value!r} is not a number", source=where)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 16) if value.startswith(("0x", "0X")) else int(value)
        except ValueError:
            pass
    raise FormatError(f"{what}: {value!r} is not a number", source=where)


def _addr(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and value else None


def with_statuses(traces: list[Trace]) -> list[Trace]:
    """The traces with `status` set from their own and their ancestors' errors."""
    statuses = trace_statuses(traces)
    return [replace(t, status=statuses[(t.transaction_hash, t.trace_address)]) for t in traces]


def parity_traces(items: Sequence[Mapping[str, Any]], block_number: int, where: str
                  ) -> list[Trace]:
    """`trace_block` answer -> traces (rewards included)."""
    out = []
    for i, item in enumerate(items):
        at = f"{where} trace {i}"
        try:
            kind = str(item["type"])
            action = item.get("action") or {}
            result = item.get("result") or {}
            error = item.get("error") or None
            tx_hash = _addr(item.get("transactionHash"))
            position = item.get("transactionPosition")
            tx_index = quantity(position, "transactionPosition", at) \
                if position is not None else None
            path = tuple(int(x) for x in item.get("traceAddress") or ())
            call_type = None
            if kind == "call":
                frm, to = _addr(action.get("from")), _addr(action.get("to"))
                call_type = str(action.get("callType") or "call").lower()
                value = quantity(action.get("value", "0x0"), "value", at)
            elif kind in ("create", "create2"):
                kind = "create"
                frm, to = _addr(action.get("from")), _addr(result.get("address"))
                value = quantity(action.get("value", "0x0"), "value", at)
            elif kind in ("suicide", "selfdestruct"):
                kind = "suicide"
                frm, to = _addr(action.get("address")), _addr(action.get("refundAddress"))
                value = quantity(action.get("balance", "0x0"), "balance", at)
            elif kind == "reward":
                frm, to = None, _addr(action.get("author"))
                value = quantity(action.get("value", "0x0"), "value", at)
            else:
                log.debug("%s: trace type %r skipped", at, kind)
                continue
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise FormatError(f"malformed trace: {e!r}", source=at) from e
        out.append(Trace(
            block_number=block_number, transaction_hash=tx_hash, transaction_index=tx_index,
            trace_address=path, trace_type=kind, call_type=call_type, from_address=frm,
            to_address=to, value=value, error=str(error) if error else None, status=1,
            reward_type=action.get("rewardType") if kind == "reward" else None, where=at,
        ))
    return with_statuses(out)


def _geth_calls(call: Mapping[str, Any], path: tuple[int, ...], at: str
                ) -> Iterator[tuple[tuple[int, ...], Mapping[str, Any]]]:
    yield path, call
    for i, child in enumerate(call.get("calls") or ()):
        if not isinstance(child, Mapping):
            raise FormatError(f"malformed call at {(*path, i)}", source=at)
        yield from _geth_calls(child, (*path, i), at)


def call_tracer_traces(tree: Mapping[str, Any], tx_hash: str, tx_index: int,
                       block_number: int, where: str) -> list[Trace]:
    """One transaction's `callTracer` result -> traces, with ethereum-etl's trace addresses.

    Old geth versions report a SELFDESTRUCT without its beneficiary or amount; such a
    trace keeps `to_address` None and value 0 and is counted, not guessed.
    """
    out = []
    for path, call in _geth_calls(tree, (), where):
        at = f"{where} tx {tx_hash} call {list(path)}"
        try:
            op = str(call.get("type", "CALL")).upper()
            value = quantity(call.get("value") or "0x0", "value", at)
            frm, to = _addr(call.get("from")), _addr(call.get("to"))
        except (TypeError, ValueError) as e:
            raise FormatError(f"malformed call: {e!r}", source=at) from e
        known = True
        if op in ("CREATE", "CREATE2"):
            kind, call_type = "create", None
        elif op == "SELFDESTRUCT":
            kind, call_type = "suicide", None
            known = frm is not None and to is not None and "value" in call
        else:
            kind, call_type = "call", op.lower()
        error = call.get("error") or None
        out.append(Trace(
            block_number=block_number, transaction_hash=tx_hash, transaction_index=tx_index,
            trace_address=path, trace_type=kind, call_type=call_type, from_address=frm,
            to_address=to, value=value, error=str(error) if error else None, status=1,
            value_known=known, where=at,
        ))
    return with_statuses(out)


# -- struct logs ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Frame:
    kind: str
    call_type: str | None
    frm: _Frame | str | None
    address: str | None
    """The account whose balance the frame's code moves (its context)."""
    value: int
    path: tuple[int, ...]
    ok: bool | None = None
    children: list[_Frame] = field(default_factory=list)
    value_known: bool = True

    def sender(self) -> str | None:
        return self.frm.address if isinstance(self.frm, _Frame) else self.frm


def _word(stack: Sequence[str], depth: int, at: str) -> int:
    try:
        w = stack[-depth]
        return int(w, 16)
    except (IndexError, ValueError, TypeError) as e:
        raise FormatError(f"stack word {depth} missing or not hex", source=at) from e


def _word_address(word: int) -> str:
    return "0x" + f"{word:064x}"[-40:]


def struct_log_traces(
    result: Mapping[str, Any], *, tx_hash: str, tx_index: int, block_number: int,
    sender: str, top_address: str | None, top_kind: str, value: int, where: str,
    balance_of: Callable[[str], int | None] | None = None,
) -> list[Trace]:
    """A default-tracer `debug_traceTransaction` result -> traces.

    `top_address` is the transaction's recipient, or the contract it created (from the
    receipt); `top_kind` is `call` or `create`. `balance_of(address)` gives a contract's
    balance before its SELFDESTRUCT step, when the caller can tell (None: unknown, counted).
    """
    at = f"{where} tx {tx_hash}"
    steps = result.get("structLogs")
    if not isinstance(steps, list):
        raise FormatError("no structLogs in the answer", source=at)
    failed = bool(result.get("failed"))
    top = _Frame(top_kind, "call" if top_kind == "call" else None, sender, top_address, value,
                 (), ok=not failed)
    frames: list[_Frame] = [top]
    pending: tuple[_Frame, int] | None = None
    base: int | None = None
    for n, step in enumerate(steps):
        try:
            op = str(step["op"])
            depth = int(step["depth"])
            stack = step.get("stack") or []
        except (KeyError, TypeError, ValueError) as e:
            raise FormatError(f"malformed step {n}: {e!r}", source=at) from e
        if base is None:
            base = depth
        d = depth - base
        while len(frames) - 1 > d:  # returned: the caller finds the outcome on its stack
            child = frames.pop()
            _resolve(child, stack, f"{at} step {n}")
        if pending is not None:
            call, call_depth = pending
            if d == call_depth + 1:
                frames.append(call)
            else:  # no code ran (an account without code, a precompile) or it failed at once
                _resolve(call, stack, f"{at} step {n}")
            pending = None
        if d != len(frames) - 1:
            raise FormatError(f"step {n} jumps to depth {depth}", source=at)
        current = frames[-1]
        path = (*current.path, len(current.children))
        if op in CALL_OPS:
            here = f"{at} step {n}"
            if op in ("CREATE", "CREATE2"):
                child = _Frame("create", None, current, None, _word(stack, 1, here), path)
            else:
                ctype = op.lower()
                target = _word_address(_word(stack, 2, here))
                v = _word(stack, 3, here) if op in ("CALL", "CALLCODE") else 0
                ctx = target if op in ("CALL", "STATICCALL") else current.address
                # CALLCODE and DELEGATECALL run the target's code as the caller (the value
                # of a CALLCODE goes to the caller itself).
                child = _Frame("call", ctype, current, ctx, v, path)
            current.children.append(child)
            pending = (child, d)
        elif op == "SELFDESTRUCT":
            here = f"{at} step {n}"
            beneficiary = _word_address(_word(stack, 1, here))
            amount = balance_of(current.address) if balance_of and current.address else None
            child = _Frame("suicide", None, current, beneficiary, amount or 0, path, ok=True,
                           value_known=amount is not None)
            current.children.append(child)
    # Frames still open when the steps end did not return: the transaction ran out of gas.
    out: list[Trace] = []
    _flatten(top, out, tx_hash=tx_hash, tx_index=tx_index, block_number=block_number,
             where=at)
    return with_statuses(out)


def _resolve(frame: _Frame, stack: Sequence[str], at: str) -> None:
    word = _word(stack, 1, at) if stack else 0
    frame.ok = word != 0
    if frame.kind == "create" and word:
        frame.address = _word_address(word)


def _flatten(frame: _Frame, out: list[Trace], **common: Any) -> None:
    out.append(Trace(
        block_number=common["block_number"], transaction_hash=common["tx_hash"],
        transaction_index=common["tx_index"], trace_address=frame.path, trace_type=frame.kind,
        call_type=frame.call_type, from_address=frame.sender(), to_address=frame.address,
        value=frame.value, error=None if frame.ok else "reverted", status=1,
        value_known=frame.value_known, where=f"{common['where']} call {list(frame.path)}",
    ))
    for child in frame.children:
        _flatten(child, out, **common)
