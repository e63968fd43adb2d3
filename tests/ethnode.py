"""A real local Ethereum node for the tests: ganache from devnet/ (npm), and a scenario driven
over JSON-RPC whose every value movement is known, so that a loaded graph can be checked against
the node's own answers (eth_getBalance, the token's balanceOf).

`make devnet` (a prerequisite of `make test`) installs ganache and solcjs with `npm ci`; the
contracts in devnet/contracts/ are compiled by devnet/compile.js (cached). What ganache 7.9
offers for tracing: `debug_traceTransaction` with struct logs only; `trace_block`,
`trace_transaction`, `debug_traceBlockByNumber` and geth's `callTracer` are absent.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from Crypto.Hash import keccak
from eth_abi.abi import decode, encode

from tests.helpers import ROOT, free_port

DEVNET = ROOT / "devnet"
GANACHE = DEVNET / "node_modules" / "ganache" / "dist" / "node" / "cli.js"
SOLC = DEVNET / "node_modules" / "solc"
BUILD = DEVNET / "build" / "contracts.json"

ETHER = 10**18
GWEI = 10**9
# ganache's deterministic wallet (mnemonic "myth like bonus scare ..."): the same accounts on
# every run; each starts with GENESIS_BALANCE at block 0, which no transaction shows.
ACCOUNTS = 5
GENESIS_BALANCE = 1000 * ETHER
# Where the priority fees go (ganache credits the block's miner, no block reward); an address of
# its own so that its balance is the sum of the tips alone.
COINBASE = "0x000000000000000000000000000000000000c0de"
CHAIN_START = "2024-01-01T00:00:00Z"  # block 0's time; every block after it one second later
HARDFORK = "shanghai"  # the EVM devnet/compile.js compiles for
ZERO = "0x" + "00" * 20
TRANSFER_TOPIC = "0x" + keccak.new(digest_bits=256,
                                   data=b"Transfer(address,address,uint256)").hexdigest()


def missing() -> str | None:
    """Why the node cannot run here, or None: the reason a test skips with."""
    if shutil.which("node") is None:
        return "Node.js (`node`) is not installed: the local Ethereum node needs it"
    if not GANACHE.is_file() or not SOLC.is_dir():
        return ("devnet/node_modules is not installed: run `make devnet` "
                "(npm ci in devnet/, done by `make test`)")
    return None


def compile_contracts() -> dict[str, Any]:
    """ABI, bytecode and selectors per contract (devnet/compile.js recompiles only on change)."""
    subprocess.run(["node", str(DEVNET / "compile.js")], check=True, timeout=300,
                   stdin=subprocess.DEVNULL, capture_output=True)
    contracts: dict[str, Any] = json.loads(BUILD.read_text())["contracts"]
    return contracts


class RpcError(Exception):
    def __init__(self, method: str, error: Any) -> None:
        super().__init__(f"{method}: {error}")
        self.error = error


class EthNode:
    """ganache on a free loopback port in its own process group; a context manager that stops it
    (the whole group) on exit."""

    def __init__(self, workdir: Path, accounts: int = ACCOUNTS) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "ganache.log"
        self.args = [
            "node", str(GANACHE),
            "--server.host", "127.0.0.1", "--server.port", str(self.port),
            "--server.ws", "false",
            "--wallet.deterministic", "--wallet.totalAccounts", str(accounts),
            "--chain.hardfork", HARDFORK,
            "--chain.time", CHAIN_START, "--miner.timestampIncrement", "1",
            "--miner.coinbase", COINBASE,
            # a reverting transaction is mined with status 0 instead of answered with an error
            "--chain.vmErrorsOnRPCResponse", "false",
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(timeout=60)
        self._ids = iter(range(1, 1 << 62))

    def start(self, timeout: float = 60) -> None:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ganache exited {self.proc.returncode}:\n"
                                   f"{self.log.read_text(errors='replace')}")
            try:
                self.rpc("eth_blockNumber")
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"ganache did not answer on {self.url} in {timeout} s:\n"
                                       f"{self.log.read_text(errors='replace')}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.client.close()
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> EthNode:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- JSON-RPC -------------------------------------------------------------------------

    def rpc(self, method: str, *params: Any) -> Any:
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}
        answer = self.client.post(self.url, json=body).raise_for_status().json()
        if "error" in answer:
            raise RpcError(method, answer["error"])
        return answer["result"]

    def accounts(self) -> list[str]:
        return [a.lower() for a in self.rpc("eth_accounts")]

    def block_number(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def block(self, number: int) -> dict[str, Any]:
        block: dict[str, Any] = self.rpc("eth_getBlockByNumber", hex(number), True)
        return block

    def receipt(self, tx_hash: str) -> dict[str, Any]:
        receipt: dict[str, Any] = self.rpc("eth_getTransactionReceipt", tx_hash)
        return receipt

    def balance(self, address: str, block: int | str = "latest") -> int:
        tag = hex(block) if isinstance(block, int) else block
        return int(self.rpc("eth_getBalance", address, tag), 16)

    def send(self, tx: dict[str, Any]) -> dict[str, Any]:
        """Send from an unlocked account; instamine mines it at once: return its receipt."""
        fields = {k: hex(v) if isinstance(v, int) else v for k, v in tx.items()}
        return self.receipt(self.rpc("eth_sendTransaction", fields))

    def call(self, to: str, data: str, block: int | str = "latest") -> bytes:
        tag = hex(block) if isinstance(block, int) else block
        return bytes.fromhex(self.rpc("eth_call", {"to": to, "data": data}, tag)[2:])

    def trace(self, tx_hash: str) -> list[dict[str, Any]]:
        """The struct logs of one transaction (opcode steps with depth and stack)."""
        opts = {"disableStorage": True, "disableMemory": True}
        logs: list[dict[str, Any]] = self.rpc("debug_traceTransaction", tx_hash, opts)["structLogs"]
        return logs


def calldata(contract: dict[str, Any], signature: str, *args: Any) -> str:
    """The call data of `signature` (e.g. "transfer(address,uint256)") with `args`."""
    types = signature[signature.index("(") + 1:-1]
    encoded = encode(types.split(","), list(args)) if types else b""
    selector: str = contract["methods"][signature]
    return "0x" + selector + encoded.hex()


def token_balance(node: EthNode, token: str, contract: dict[str, Any], owner: str,
                  block: int | str = "latest") -> int:
    answer = node.call(token, calldata(contract, "balanceOf(address)", owner), block)
    value: int = decode(["uint256"], answer)[0]
    return value


# --- the scenario -----------------------------------------------------------------------------

Move = tuple[str, str, str, int]
"""A value movement inside a transaction: kind (internal or token), sender, receiver, value."""

@dataclass(frozen=True)
class Transfer:
    """One value movement the scenario made: `kind` is native (a transaction's value), internal
    (a CALL with value inside a transaction) or token (an ERC-20 Transfer event)."""

    kind: str
    tx: str
    block: int
    sender: str
    receiver: str
    value: int
    token: str | None = None


@dataclass
class Scenario:
    """What happened on the node: a test checks a loaded graph against it."""

    accounts: list[str]
    coinbase: str
    token: str
    token_meta: dict[str, Any]
    forwarders: list[str]
    txs: dict[str, str] = field(default_factory=dict)  # name -> hash
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)  # hash -> receipt
    transfers: list[Transfer] = field(default_factory=list)
    first_block: int = 0
    last_block: int = 0

    @property
    def contracts(self) -> list[str]:
        return [self.token, *self.forwarders]

    @property
    def addresses(self) -> list[str]:
        """Every address holding or having held value: accounts, contracts and the coinbase."""
        return [*self.accounts, *self.contracts, self.coinbase]

    def failed(self) -> list[str]:
        return [h for h, r in self.receipts.items() if int(r["status"], 16) == 0]

    def fee(self, tx_hash: str) -> int:
        r = self.receipts[tx_hash]
        return int(r["gasUsed"], 16) * int(r["effectiveGasPrice"], 16)


def run_scenario(node: EthNode, contracts: dict[str, Any]) -> Scenario:
    """ETH sends (EIP-1559 and one legacy transaction, one to self), an ERC-20 deployed and
    transferred, two failing transactions mined with status 0 (a token transfer above the
    sender's balance, and a payable call whose value was forwarded before it reverted), two
    Forwarders moving ETH internally (a CALL with value at depth 1 and one at depth 2), inner
    calls with value that revert in successful transactions (one of them after its own inner
    call had succeeded: neither moves anything), and tokens sent by a contract-to-contract call.
    Every transaction is mined in a block of its own."""
    a = node.accounts()
    token_c, fwd_c = contracts["Token"], contracts["Forwarder"]
    scenario_start = node.block_number() + 1
    s = Scenario(accounts=a, coinbase=COINBASE, token="", token_meta={}, forwarders=[])

    def tx(name: str, sender: str, to: str | None, value: int = 0, data: str = "0x",
           moves: tuple[Move, ...] = (), **extra: int) -> dict[str, Any]:
        """Send one transaction; if it succeeds, record its value and the `moves` it makes."""
        fields: dict[str, Any] = {"from": sender, "value": value, "data": data,
                                  "gas": 1_000_000, **extra}
        if to is not None:
            fields["to"] = to
        receipt = node.send(fields)
        h = receipt["transactionHash"]
        s.txs[name] = h
        s.receipts[h] = receipt
        block = int(receipt["blockNumber"], 16)
        if int(receipt["status"], 16) == 1:
            if value:
                assert to is not None
                s.transfers.append(Transfer("native", h, block, sender, to, value))
            for kind, frm, dest, amount in moves:
                token = s.token if kind == "token" else None
                s.transfers.append(Transfer(kind, h, block, frm, dest, amount, token))
        return receipt

    def deploy(name: str, contract: dict[str, Any], types: list[str], args: list[Any],
               moves: tuple[Move, ...] = ()) -> str:
        data = contract["bytecode"] + encode(types, args).hex()
        address: str = tx(name, a[0], None, data=data, moves=moves)["contractAddress"]
        return address.lower()

    def token_tx(name: str, sender: str, to: str, value: int) -> None:
        tx(name, sender, s.token, data=calldata(token_c, "transfer(address,uint256)", to, value),
           moves=(("token", sender, to, value),))

    tx("eth a0->a1", a[0], a[1], 5 * ETHER)
    tx("eth a1->a2 legacy", a[1], a[2], 1_250_000_000_000_000_000, gasPrice=3 * GWEI)
    supply = 1_000_000 * 10**6
    s.token = deploy("deploy token", token_c, ["uint256"], [supply])
    # the mint: its Transfer event comes from the zero address
    s.transfers.append(Transfer("token", s.txs["deploy token"], node.block_number(), ZERO, a[0],
                                supply, s.token))
    token_tx("token a0->a1", a[0], a[1], 250_000_500_000)
    token_tx("token a1->a2", a[1], a[2], 100_000_000_000)
    token_tx("token a2->a3 above balance (fails)", a[2], a[3], 100_000_000_001)

    f2 = deploy("deploy forwarder 2", fwd_c, ["address"], [a[4]])
    f1 = deploy("deploy forwarder 1", fwd_c, ["address"], [f2])
    s.forwarders = [f1, f2]
    tx("eth a1->f1 forwarded to f2 and a4", a[1], f1, 2 * ETHER,
       moves=(("internal", f1, f2, 2 * ETHER), ("internal", f2, a[4], 2 * ETHER)))
    tx("f1.tryCall(token): the inner call reverts, f1 keeps the ETH", a[2], f1, ETHER // 2,
       data=calldata(fwd_c, "tryCall(address,bytes)", s.token, b""))
    refuse = calldata(fwd_c, "refuse()")
    tx("f1.tryCall(f2.refuse()): f2 forwards to a4 then reverts, f1 keeps the ETH", a[2], f1,
       300_000_000_000_000_000,
       data=calldata(fwd_c, "tryCall(address,bytes)", f2, bytes.fromhex(refuse[2:])))
    tx("f2.refuse() with value (fails)", a[3], f2, 750_000_000_000_000_000, data=refuse)
    token_tx("token a0->f1", a[0], f1, 5_000_000)
    tx("f1.sendToken(a3): contract-to-contract token transfer", a[3], f1,
       data=calldata(fwd_c, "sendToken(address,address,uint256)", s.token, a[3], 2_000_000),
       moves=(("token", f1, a[3], 2_000_000),))
    tx("eth a4->a4 to self", a[4], a[4], ETHER // 10)

    s.first_block, s.last_block = scenario_start, node.block_number()
    for field_name in ("name", "symbol", "decimals"):
        answer = node.call(s.token, calldata(token_c, f"{field_name}()"))
        s.token_meta[field_name] = decode(["uint8" if field_name == "decimals" else "string"],
                                          answer)[0]
    return s


def expected_balances(node: EthNode, s: Scenario, block: int) -> dict[str, int]:
    """ETH per address after `block` as the scenario implies it: the genesis allocation, plus the
    transfers received, less those sent and the fees paid (gasUsed * effectiveGasPrice); the
    coinbase earns gasUsed * (effectiveGasPrice - baseFeePerGas), the rest of a fee is burnt."""
    balances = {addr: node.balance(addr, 0) for addr in s.addresses}
    for t in s.transfers:
        if t.kind != "token" and t.block <= block:
            balances[t.sender] -= t.value
            balances[t.receiver] += t.value
    for h, r in s.receipts.items():
        number = int(r["blockNumber"], 16)
        if number > block:
            continue
        balances[r["from"].lower()] -= s.fee(h)
        base_fee = int(node.block(number)["baseFeePerGas"], 16)
        tip = int(r["effectiveGasPrice"], 16) - base_fee
        balances[s.coinbase] += int(r["gasUsed"], 16) * tip
    return balances


def expected_token_balances(s: Scenario, block: int) -> dict[str, int]:
    """Token units per address after `block` (the mint comes from the zero address)."""
    balances = dict.fromkeys([ZERO, *s.addresses], 0)
    for t in s.transfers:
        if t.kind == "token" and t.block <= block:
            balances[t.sender] -= t.value
            balances[t.receiver] += t.value
    return balances


CALLS = {"CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"}


@dataclass
class TracedCall:
    """One message call found in a struct-log trace."""

    depth: int  # the caller's depth: the transaction's own frame is depth 1 (0: the transaction)
    op: str
    caller: str
    callee: str
    value: int
    ok: bool  # the call itself returned success (its caller may still revert later)
    parent: TracedCall | None  # the call that made the caller's frame, up to the transaction

    @property
    def moved(self) -> bool:
        """Whether its value stayed moved: it and every call around it succeeded."""
        return self.ok and (self.parent is None or self.parent.moved)


def traced_calls(steps: list[dict[str, Any]], tx: dict[str, Any],
                 receipt: dict[str, Any]) -> list[TracedCall]:
    """The message calls inside one transaction from its struct logs (ganache: stack words as
    hex without 0x, top of stack last). A CALL's callee and value are its 2nd and 3rd arguments;
    its success is the word it leaves on the caller's stack, read at the caller's next step. The
    transaction itself is every depth-1 call's parent, successful by its receipt's status. Calls
    from frames made by CREATE inside a transaction are not followed (the scenario has none)."""
    to = tx["to"] or receipt["contractAddress"]  # a creation runs in the new contract's frame
    root = TracedCall(0, "TX", tx["from"].lower(), to.lower(), int(tx["value"], 16),
                      int(receipt["status"], 16) == 1, None)
    frames: dict[int, tuple[str | None, TracedCall]] = {1: (root.callee, root)}
    calls: list[TracedCall] = []
    for i, step in enumerate(steps):
        depth, op = step["depth"], step["op"]
        if op not in CALLS and not op.startswith("CREATE"):
            continue
        address, parent = frames[depth]
        if op.startswith("CREATE"):
            frames[depth + 1] = (None, parent)
            continue
        if address is None:
            raise NotImplementedError("a call from a frame made by CREATE")
        stack = step["stack"]
        callee = "0x" + stack[-2][-40:]
        value = int(stack[-3], 16) if op in ("CALL", "CALLCODE") else 0
        after = next((s for s in steps[i + 1:] if s["depth"] == depth), None)
        ok = after is not None and int(after["stack"][-1], 16) == 1
        call = TracedCall(depth, op, address, callee.lower(), value, ok, parent)
        calls.append(call)
        frames[depth + 1] = (call.callee if op in ("CALL", "STATICCALL") else address, call)
    return calls


def logged_token_transfers(s: Scenario) -> list[Transfer]:
    """The ERC-20 Transfer events in the scenario's receipts, as transfers of the emitting
    contract's token."""
    found = []
    for h, r in s.receipts.items():
        for log in r["logs"]:
            topics = log["topics"]
            if topics and topics[0] == TRANSFER_TOPIC and len(topics) == 3:
                found.append(Transfer("token", h, int(r["blockNumber"], 16),
                                      "0x" + topics[1][-40:], "0x" + topics[2][-40:],
                                      int(log["data"], 16), log["address"].lower()))
    return found
