"""A deterministic account-chain generator: ethereum-etl CSV exports with known balances.

For the load benchmark (bench/load_ethereum.py) and tests. The chain is post-London (base fee
burnt, priority fee to the block's miner) and post-Shanghai: block 1 funds the first
accounts with withdrawals. Then each transaction is, by chance (seeded):
- a native ETH payment from an account with a balance to a new or an existing account;
- an ERC-20 payment on one of a few token contracts (a `Transfer` log, value 0 in ETH);
- a payment through a forwarder contract, which passes the value on (an internal transfer);
- a failed transaction (status 0): the fee is paid, nothing moves.
Every transaction is valid against the tracked balances, so `truth.json` holds the exact
final balance of every account per asset, and the number of each kind of transfer.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from loaders.ethereum.address import ZERO_ADDRESS, keccak256

ETHER: Final = 10**18
GWEI: Final = 10**9
TXS_PER_BLOCK: Final = 150
FIRST_BLOCK: Final = 17_000_000
FUNDED: Final = 500
MINTED: Final = 50
GAS: Final = {"native": 21_000, "erc20": 51_000, "forward": 35_000, "failed": 30_000}

BLOCK_COLUMNS: Final = ["number", "hash", "parent_hash", "miner", "timestamp",
                        "transaction_count", "gas_used", "base_fee_per_gas", "withdrawals"]
TX_COLUMNS: Final = ["hash", "nonce", "block_hash", "block_number", "transaction_index",
                     "from_address", "to_address", "value", "gas", "gas_price", "input",
                     "block_timestamp", "max_fee_per_gas", "max_priority_fee_per_gas",
                     "transaction_type"]
RECEIPT_COLUMNS: Final = ["transaction_hash", "transaction_index", "block_hash", "block_number",
                          "cumulative_gas_used", "gas_used", "contract_address", "root",
                          "status", "effective_gas_price"]
TT_COLUMNS: Final = ["token_address", "from_address", "to_address", "value",
                     "transaction_hash", "log_index", "block_number"]
TRACE_COLUMNS: Final = ["block_number", "transaction_hash", "transaction_index", "from_address",
                        "to_address", "value", "trace_type", "call_type", "trace_address",
                        "error", "status"]


def _hex(seed: str, n: int) -> str:
    return "0x" + keccak256(seed.encode()).hex()[: n * 2]


@dataclass(slots=True)
class _State:
    rng: random.Random
    eth: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tokens: dict[str, dict[str, int]] = field(default_factory=dict)
    nonce: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    funded: list[str] = field(default_factory=list)
    """Accounts that can pay (a list, for a seeded choice; the set for membership)."""
    funded_set: set[str] = field(default_factory=set)
    holders: dict[str, list[str]] = field(default_factory=dict)
    accounts: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def new_account(self) -> str:
        self.accounts += 1
        return _hex(f"account {self.accounts}", 20)


def generate(out: Path, *, transfers: int, seed: int = 1) -> dict[str, Any]:
    """Write blocks, transactions, receipts, token_transfers and traces CSVs to `out` with
    at least `transfers` value transfers (native, internal, erc20; fees come on top).
    Returns (and writes as truth.json) the counts and the exact final balances."""
    out.mkdir(parents=True, exist_ok=True)
    st = _State(random.Random(seed))
    token_list = [_hex(f"token {i}", 20) for i in range(5)]
    forwarder = _hex("forwarder", 20)
    miners = [_hex(f"miner {i}", 20) for i in range(8)]
    files = {name: (out / f"{name}.csv").open("w", newline="") for name in
             ("blocks", "transactions", "receipts", "token_transfers", "traces")}
    writers = {name: csv.writer(f) for name, f in files.items()}
    writers["blocks"].writerow(BLOCK_COLUMNS)
    writers["transactions"].writerow(TX_COLUMNS)
    writers["receipts"].writerow(RECEIPT_COLUMNS)
    writers["token_transfers"].writerow(TT_COLUMNS)
    writers["traces"].writerow(TRACE_COLUMNS)
    try:
        number = FIRST_BLOCK
        parent = _hex("parent", 32)
        made = 0
        while made < transfers or number == FIRST_BLOCK:
            block_hash = _hex(f"block {number}", 32)
            time = 1_680_000_000 + (number - FIRST_BLOCK) * 12
            miner = miners[number % len(miners)]
            base_fee = 10 * GWEI + st.rng.randrange(0, 40 * GWEI)
            withdrawals = []
            if number == FIRST_BLOCK:  # fund the first accounts (and the token holders)
                for i in range(FUNDED):
                    a = st.new_account()
                    st.funded.append(a)
                    st.funded_set.add(a)
                    amount_gwei = 100 * GWEI + st.rng.randrange(GWEI)
                    withdrawals.append({"index": i, "validator_index": 1000 + i, "address": a,
                                        "amount": amount_gwei})
                    st.eth[a] += amount_gwei * GWEI
                    st.eth[ZERO_ADDRESS] -= amount_gwei * GWEI
                    st.counts["withdrawal"] += 1
                for t in token_list:
                    st.tokens[t] = {}
                    st.holders[t] = []
                txs: list[list[Any]] = []
            else:
                txs, n = _block_txs(st, number, block_hash, time, miner, base_fee, token_list,
                                    forwarder, writers)
                made += n
            gas_used = sum(int(r[1]) for r in txs)
            for r in txs:
                writers["transactions"].writerow(r[2])
            writers["blocks"].writerow([
                number, block_hash, parent, miner, time, len(txs), gas_used, base_fee,
                ",".join(json.dumps(w, separators=(",", ":")) for w in withdrawals)])
            parent = block_hash
            number += 1
    finally:
        for f in files.values():
            f.close()
    truth = {
        "blocks": number - FIRST_BLOCK, "first_block": FIRST_BLOCK,
        "counts": dict(sorted(st.counts.items())),
        "value_transfers": st.counts["native"] + st.counts["internal"] + st.counts["erc20"],
        "balances": {"ETH": {a: str(v) for a, v in sorted(st.eth.items()) if v},
                     **{t: {a: str(v) for a, v in sorted(b.items()) if v}
                        for t, b in st.tokens.items()}},
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def _block_txs(st: _State, number: int, block_hash: str, time: int, miner: str, base_fee: int,
               token_list: list[str], forwarder: str, writers: dict[str, Any]
               ) -> tuple[list[list[Any]], int]:
    """One block's transactions; writes receipts, token transfers and traces; returns the
    rows (index, gas used, transaction row) and the number of value transfers."""
    rng = st.rng
    rows: list[list[Any]] = []
    made = 0
    cumulative = 0
    log_index = 0
    if number == FIRST_BLOCK + 1:  # each token mints to the first accounts (one tx each)
        minter = st.funded[0]
        for token in token_list:
            index = len(rows)
            tx_hash = _hex(f"tx {number} {index}", 32)
            gas_used = 30_000 + 30_000 * MINTED
            st.eth[minter] -= gas_used * base_fee  # burnt: it reaches no account
            st.counts["fee"] += 1
            for holder in st.funded[:MINTED]:
                writers["token_transfers"].writerow(
                    [token, ZERO_ADDRESS, holder, 10**30, tx_hash, log_index, number])
                log_index += 1
                st.tokens[token][holder] = 10**30
                st.tokens[token][ZERO_ADDRESS] = st.tokens[token].get(ZERO_ADDRESS, 0) - 10**30
                st.holders[token].append(holder)
                st.counts["erc20"] += 1
                made += 1
            cumulative += gas_used
            writers["receipts"].writerow([tx_hash, index, block_hash, number, cumulative,
                                          gas_used, "", "", 1, base_fee])
            rows.append([index, gas_used, [
                tx_hash, st.nonce[minter], block_hash, number, index, minter, token, 0,
                gas_used * 2, base_fee, "0x", time, base_fee + GWEI, 0, 2]])
            st.nonce[minter] += 1
    for _ in range(TXS_PER_BLOCK):
        roll = rng.random()
        kind = ("failed" if roll < 0.02 else "erc20" if roll < 0.32
                else "forward" if roll < 0.42 else "native")
        token = token_list[rng.randrange(len(token_list))]
        holders = st.holders[token]
        sender = (holders[rng.randrange(len(holders))] if kind == "erc20"
                  else st.funded[rng.randrange(len(st.funded))])
        tip = rng.randrange(0, 2 * GWEI)
        price = base_fee + tip
        gas_used = GAS[kind]
        if st.eth[sender] < gas_used * price + GWEI:
            continue  # too poor to pay for it
        index = len(rows)
        tx_hash = _hex(f"tx {number} {index}", 32)
        recipient = (st.new_account() if rng.random() < 0.3
                     else st.funded[rng.randrange(len(st.funded))])
        st.eth[sender] -= gas_used * price
        st.eth[miner] += gas_used * tip  # the base fee is burnt: it reaches no account
        st.counts["fee"] += 1  # one booked fee per transaction
        value, to, status = 0, recipient, 1
        if kind in ("native", "forward"):
            value = rng.randrange(1, max(2, (st.eth[sender] - GWEI) // 3))
            st.eth[sender] -= value
            st.eth[recipient] += value
            st.counts["native"] += 1
            made += 1
            if kind == "forward":  # sender -> forwarder (native) -> recipient (internal)
                to = forwarder
                st.counts["internal"] += 1
                made += 1
                writers["traces"].writerow([number, tx_hash, index, sender, forwarder, value,
                                            "call", "call", "", "", 1])
                writers["traces"].writerow([number, tx_hash, index, forwarder, recipient,
                                            value, "call", "call", "0", "", 1])
        elif kind == "erc20":
            to = token
            held = st.tokens[to].get(sender, 0)
            if held > 0:
                amount = rng.randrange(1, held + 1) if rng.random() < 0.2 else held // 3 or held
                st.tokens[to][sender] = held - amount
                if recipient not in st.tokens[to]:
                    holders.append(recipient)
                st.tokens[to][recipient] = st.tokens[to].get(recipient, 0) + amount
                writers["token_transfers"].writerow(
                    [to, sender, recipient, amount, tx_hash, log_index, number])
                log_index += 1
                st.counts["erc20"] += 1
                made += 1
        else:  # a payment that reverted: the fee is paid, the value stays
            value, status = rng.randrange(1, GWEI), 0
            st.counts["failed_tx"] += 1
        if recipient not in st.funded_set and st.eth[recipient] > 10**15:
            st.funded.append(recipient)
            st.funded_set.add(recipient)
        cumulative += gas_used
        nonce = st.nonce[sender]
        st.nonce[sender] += 1
        writers["receipts"].writerow([tx_hash, index, block_hash, number, cumulative,
                                      gas_used, "", "", status, price])
        rows.append([index, gas_used, [
            tx_hash, nonce, block_hash, number, index, sender, to, value, gas_used * 2,
            price, "0x", time, price + GWEI, tip, 2]])
    return rows, made
