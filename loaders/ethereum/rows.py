"""Pure transform: everything a run has for one block -> the rows the load queries UNWIND.

No I/O and no database: the rules of what moves value live here, tested on their own.

- A transaction's status comes from its receipt, else the receipt columns of the
  transactions export, else its top-level trace (an error there means it failed); before
  Byzantium without traces it is unknown (null) and its value counts as moved.
- `native`: a successful transaction's value, sender -> recipient (or the contract it created);
  from its top-level trace when the run has traces of the block but no transactions export.
- `internal`: a trace below the top-level call that moved value (a call, create or
  self-destruct with value > 0 whose status is 1, i.e. neither it nor an ancestor failed).
  `delegatecall`, `callcode` and `staticcall` move no value between accounts (the code runs in
  the caller's context), so they are not transfers. Internal transfers of a failed
  transaction are dropped whatever their own status says.
- `erc20`: an ERC-20 `Transfer(from, to, value)` log (topic0 `TRANSFER_TOPIC`, three topics,
  32 bytes of data) of a successful transaction. A `Transfer` log with four topics is ERC-721
  (the token id is indexed): not a fungible amount, skipped and counted.
- fees are not transfers: they are properties of the transaction (`fee_paid`, `tip`,
  `burnt`, `miner`, `seq`; see `fee_fields`), read as balance events by the stored queries
  that need them (balances, taint, exposure). The sender pays `gas_used *
  effective_gas_price` (plus the blob fee after Dencun), even for a failed transaction.
  Before London all of it goes to the block's miner; from London on the base fee part (and
  the blob fee) is burnt, it leaves the sender and reaches no account, and only the priority
  part (the tip) goes to the miner. Two relationships per transaction (two thirds of all
  relationships on a typical chain) would double the cost of the load and of every
  traversal that skips them, and a burn has no recipient to point to.
- `reward`: block and uncle rewards from the traces (zero address -> miner).
- `withdrawal`: consensus-layer withdrawals in the block header (zero address -> recipient).
- `genesis`: the genesis allocation, from ethereum-etl's `genesis` traces of block 0 (zero
  address -> account; an RPC load asks the node instead, see `load.EthereumLoader`).
- `daofork`: the DAO fork's irregular state change (ethereum-etl's `daofork` traces of block
  1,920,000): each drained account -> the refund contract, at the start of the block.

`seq = block * 100000 + tx_index` orders transfers in time; rewards and withdrawals, which
the protocol credits after the last transaction, get `END_OF_BLOCK` as their index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from chaintrail.errors import FormatError
from loaders.ethereum.address import ZERO_ADDRESS, contract_address
from loaders.ethereum.amounts import INT64_MAX, amount_fields, limbs
from loaders.ethereum.model import BlockData, Log, TokenTransfer, Trace, Transaction

Row = dict[str, Any]

TRANSFER_TOPIC: Final = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
"""keccak256("Transfer(address,address,uint256)"), shared by ERC-20 and ERC-721."""
SEQ_PER_BLOCK: Final = 100_000
END_OF_BLOCK: Final = SEQ_PER_BLOCK - 1
ETH: Final = "ETH"
NO_VALUE_CALLS: Final = frozenset({"delegatecall", "callcode", "staticcall"})
NO_TX_TRACES: Final = frozenset({"reward", "genesis", "daofork"})
"""Trace types that belong to no transaction."""
GWEI: Final = 10**9
NO_FEE: Final[Row] = {"miner": None, "fee_paid": None, "fee_paid_limbs": None, "tip": None,
                      "tip_limbs": None, "burnt": None}
"""A transaction row's fee properties while its fee is not booked (see `fee_fields`)."""


@dataclass(slots=True)
class Rows:
    """The rows of one write batch (one or more whole blocks)."""

    blocks: list[Row] = field(default_factory=list)
    accounts: dict[str, str | None] = field(default_factory=dict)
    """address -> kind ('eoa', 'contract' or None when this batch does not know)."""
    transactions: list[Row] = field(default_factory=list)
    transfers: list[Row] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Hashes of failed transactions: a native transfer an earlier, partial load wrote for
    one of them (before its receipt was known) is removed."""
    not_erc20: list[str] = field(default_factory=list)
    """Ids of ERC-721 transfers (their logs have a fourth topic, the token id): an earlier
    load of a token_transfers export alone, which cannot tell them apart, wrote them as
    ERC-20 amounts; they are removed."""
    unknown_status: list[str] = field(default_factory=list)
    """Hashes of transactions whose native transfer was written without a known status: if
    an earlier load stored it as failed (from its trace), the transfer is removed."""
    new_transactions: list[Row] = field(default_factory=list)
    new_transfers: list[Row] = field(default_factory=list)
    """Those of blocks not in the database yet: created, not merged (see `mark_new`)."""
    fee_open: set[int] = field(default_factory=set)
    """Blocks with a transaction whose fee these rows do not book (a part of it, the
    transaction, its receipt or the block, is not in the run): the write books it from what
    the graph holds when every part is there (`load.book_fees`)."""
    counts: Counter[str] = field(default_factory=Counter)

    def account(self, address: str | None, kind: str | None = None) -> None:
        if address is None:
            return
        if kind is not None or address not in self.accounts:
            self.accounts[address] = kind or self.accounts.get(address)

    def account_rows(self) -> list[Row]:
        """Sorted: two writers then take the accounts' index locks in the same order, which
        keeps them from deadlocking on accounts both batches touch."""
        return [{"address": a, "kind": self.accounts[a]} for a in sorted(self.accounts)]

    def untimed_rows(self) -> list[Row]:
        """Per block, the ids of the transfers written without a time (traces without their
        block's export), for load/ethereum/untimed_transfers: the export, loaded later, gives
        them the block's time."""
        return self._ids_per_block(lambda t: t["time"] is None)

    def unindexed_rows(self) -> list[Row]:
        """Per block, the ids of the transfers written without their transaction's index (a
        token_transfers export without the block's transactions, receipts or logs), for
        load/ethereum/unindexed_transfers: they take the index (and `seq`) of their
        transaction once it is in the graph. Every block of the rows is listed, so that
        transfers an earlier run left without an index find their transactions."""
        return self._ids_per_block(
            lambda t: t["tx_index"] is None and t["tx_hash"] is not None, every_block=True)

    def _ids_per_block(self, keep: Callable[[Row], bool], *,
                       every_block: bool = False) -> list[Row]:
        ids: dict[int, list[str]] = {b["number"]: [] for b in self.blocks} if every_block \
            else {}
        for t in (*self.transfers, *self.new_transfers):
            if keep(t):
                ids.setdefault(t["block"], []).append(t["id"])
        return [{"block": b, "ids": i} for b, i in ids.items()]

    def mark_new(self) -> None:
        """These blocks are not in the database: nothing of theirs can exist, so their
        transactions and transfers are written with CREATE (no MERGE locks, no lookups)."""
        self.new_transactions += self.transactions
        self.new_transfers += self.transfers
        self.transactions, self.transfers, self.failed = [], [], []
        self.unknown_status, self.not_erc20 = [], []

    def extend(self, other: Rows) -> None:
        self.blocks.extend(other.blocks)
        for a, k in other.accounts.items():
            self.account(a, k)
        self.transactions.extend(other.transactions)
        self.transfers.extend(other.transfers)
        self.failed.extend(other.failed)
        self.unknown_status.extend(other.unknown_status)
        self.not_erc20.extend(other.not_erc20)
        self.new_transactions.extend(other.new_transactions)
        self.new_transfers.extend(other.new_transfers)
        self.fee_open |= other.fee_open
        self.counts.update(other.counts)

    @property
    def transaction_count(self) -> int:
        return len(self.transactions) + len(self.new_transactions)

    @property
    def transfer_count(self) -> int:
        return len(self.transfers) + len(self.new_transfers)


def _int64(value: int | None, what: str, where: str) -> int | None:
    if value is not None and value > INT64_MAX:
        raise FormatError(f"{what} {value} does not fit a 64-bit integer", source=where)
    return value


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def erc20_from_log(log: Log) -> TokenTransfer | None:
    """An ERC-20 transfer, or None for any other log (ERC-721 included: see module doc)."""
    if len(log.topics) != 3 or log.topics[0].lower() != TRANSFER_TOPIC:
        return None
    data = log.data[2:] if log.data.startswith("0x") else log.data
    if len(data) != 64:
        return None
    return TokenTransfer(
        token_address=log.address.lower(), from_address=_topic_address(log.topics[1]),
        to_address=_topic_address(log.topics[2]), value=int(data, 16),
        transaction_hash=log.transaction_hash, log_index=log.log_index,
        block_number=log.block_number, transaction_index=log.transaction_index, where=log.where,
    )


def _moves(tt: TokenTransfer) -> tuple[str, str, str, int]:
    """What a token transfer says moved: token, parties and value."""
    return (tt.token_address.lower(), tt.from_address.lower(), tt.to_address.lower(), tt.value)


def is_erc721_log(log: Log) -> bool:
    return len(log.topics) == 4 and log.topics[0].lower() == TRANSFER_TOPIC


def _informed(t: Trace) -> bool:
    """The trace says who paid whom how much."""
    return t.value_known and t.from_address is not None and t.to_address is not None


def _moves_trace(t: Trace) -> tuple[Any, ...]:
    """What a trace says that the graph keeps: who paid whom how much, and whether it
    failed (the exports' error texts and gas figures may differ; for a call that moves no
    value, such as callcode, parity and geth even name different addresses)."""
    if t.trace_type == "call" and (t.call_type or "call") in NO_VALUE_CALLS:
        return t.call_type, bool(t.error)
    return (t.call_type or "call", t.from_address, t.to_address, t.value, t.value_known,
            bool(t.error))


def trace_statuses(traces: list[Trace]) -> dict[tuple[str | None, tuple[int, ...]], int]:
    """(tx hash, trace address) -> 1, or 0 when the call or any ancestor has an error."""
    failed = {(t.transaction_hash, t.trace_address) for t in traces if t.error}
    out = {}
    for t in traces:
        path = t.trace_address
        bad = any((t.transaction_hash, path[:i]) in failed for i in range(len(path) + 1))
        out[(t.transaction_hash, path)] = 0 if bad else 1
    return out


def fee_fields(tx_hash: str, fee: int, gas_used: int, miner: str, base_fee: int | None,
               blob_fee: str | None, where: str) -> Row:
    """The fee as the transaction's properties: what the sender paid (`fee_paid`, with limbs
    for exact sums), the miner's part (`tip`, with limbs) and what was burnt (the base fee
    part from London on, and the blob fee). From one run's exports (`_Block.transactions`)
    or, when runs brought the parts, from what the graph holds (`load.book_fees`)."""
    burnt = gas_used * base_fee if base_fee is not None else 0
    tip = fee - burnt
    if tip < 0:
        raise FormatError(f"transaction {tx_hash}: fee {fee} is below the burnt base fee "
                          f"{burnt}", source=where)
    blob = int(blob_fee) if blob_fee else 0
    paid = fee + blob
    return {"miner": miner, "fee_paid": str(paid), "fee_paid_limbs": limbs(paid),
            "tip": str(tip), "tip_limbs": limbs(tip), "burnt": str(burnt + blob)}


def genesis_id(block: int, address: str) -> str:
    """`0:genesis:address`: the same id whether the allocation came from an ethereum-etl
    genesis trace or from the node's `eth_getBalance` at block 0, so the two never double."""
    return f"{block}:genesis:{address}"


def trace_id(t: Trace) -> str:
    """`txhash:trace_address` with ethereum-etl's comma-separated address."""
    return f"{t.transaction_hash}:{','.join(str(i) for i in t.trace_address)}"


class _Block:
    """The transform of one block; `rows()` is the result."""

    def __init__(self, data: BlockData) -> None:
        self.d = data
        self.out = Rows()
        self.where = (data.header.where if data.header else "") or f"block {data.number}"
        h = data.header
        txs = data.transactions
        self.time = h.timestamp if h else next(
            (t.block_timestamp for t in txs.values() if t.block_timestamp is not None), None)
        self.block_hash = h.hash if h else next(
            (t.block_hash for t in txs.values() if t.block_hash), None)
        self.index_of: dict[str, int] = {}
        for r in data.receipts.values():
            if r.transaction_index is not None:
                self.index_of[r.transaction_hash] = r.transaction_index
        for lg in data.logs:
            if lg.transaction_index is not None:
                self.index_of[lg.transaction_hash] = lg.transaction_index
        for tr in data.traces:
            if tr.transaction_hash and tr.transaction_index is not None:
                self.index_of[tr.transaction_hash] = tr.transaction_index
        for t in txs.values():
            self.index_of[t.hash] = t.transaction_index
        # Traces exported from geth name their transaction by its index only.
        by_index = {i: h for h, i in self.index_of.items()}
        self.traces: list[Trace] = []
        self.traces_without_tx = 0
        seen: dict[tuple[str, tuple[int, ...], str], int] = {}
        for tr in data.traces:
            if tr.transaction_hash is None and tr.trace_type not in NO_TX_TRACES:
                found = by_index.get(tr.transaction_index) \
                    if tr.transaction_index is not None else None
                if found is None:
                    self.traces_without_tx += 1
                    continue
                tr = replace(tr, transaction_hash=found)
            if tr.transaction_hash is not None and tr.trace_type not in NO_TX_TRACES:
                # a parity trace and a geth one of the same call (both exports in one run)
                key = (tr.transaction_hash, tr.trace_address, tr.trace_type)
                at = seen.setdefault(key, len(self.traces))
                if at < len(self.traces):
                    old = self.traces[at]
                    if not _informed(tr):  # e.g. geth's self-destruct without its balance
                        continue
                    if not _informed(old):
                        self.traces[at] = tr
                        continue
                    if _moves_trace(old) != _moves_trace(tr):
                        raise FormatError(f"conflicts with the trace at {old.where} for the "
                                          f"same call ({tr.transaction_hash} "
                                          f"{list(tr.trace_address)})", source=tr.where)
                    continue
            self.traces.append(tr)
        if self.traces_without_tx:
            self.out.counts["trace_without_tx"] += self.traces_without_tx
        self.top_traces = {t.transaction_hash: t for t in self.traces
                           if t.transaction_hash and not t.trace_address}
        self.status: dict[str, int | None] = {}

    # -- helpers ------------------------------------------------------------------------------
    def seq(self, tx_index: int | None) -> int:
        return self.d.number * SEQ_PER_BLOCK + (tx_index if tx_index is not None else 0)

    def transfer(self, id_: str, kind: str, asset: str, frm: str, to: str, value: int,
                 tx_hash: str | None, tx_index: int | None) -> None:
        """One transfer; zero amounts make none, except ERC-20 `Transfer` events, which are
        kept as the chain logged them (zero-value transfers from look-alike addresses are how
        address poisoning works)."""
        if value <= 0 and not (kind == "erc20" and value == 0):
            return
        self.out.account(frm)
        self.out.account(to)
        self.out.transfers.append({
            "id": id_, "kind": kind, "asset": asset, "from": frm, "to": to,
            **amount_fields(value), "block": self.d.number, "tx_index": tx_index,
            "seq": self.seq(tx_index), "time": self.time, "tx_hash": tx_hash,
        })
        self.out.counts[kind] += 1

    def tx_status(self, tx_hash: str, tx: Transaction | None) -> int | None:
        r = self.d.receipts.get(tx_hash)
        if r is not None and r.status is not None:
            return r.status
        if tx is not None and tx.receipt is not None and tx.receipt.status is not None:
            return tx.receipt.status
        top = self.top_traces.get(tx_hash)
        if top is not None:
            return 0 if top.error else 1
        return None

    # -- the parts ----------------------------------------------------------------------------
    def transactions(self) -> tuple[int, int]:
        """Transaction rows (with their fees) and native transfers; returns (count, value
        sum) of the transactions and receipts. A transaction known only from its top-level
        trace gets a row too, with the status the trace gives: a transactions export loaded
        later, without receipts, then finds it failed (`unknown_status`)."""
        d, h = self.d, self.d.header
        hashes = list(d.transactions) + [x for x in d.receipts if x not in d.transactions]
        known = len(hashes)
        hashes += [x for x in self.top_traces if x not in d.transactions and x not in d.receipts]
        value_sum = 0
        for tx_hash in hashes:
            tx = d.transactions.get(tx_hash)
            receipt = d.receipts.get(tx_hash) or (tx.receipt if tx else None)
            status = self.tx_status(tx_hash, tx)
            self.status[tx_hash] = status
            where = (tx.where if tx else receipt.where if receipt else "") or self.where
            index = self.index_of.get(tx_hash)
            if index is None and tx_hash in self.top_traces:
                index = self.top_traces[tx_hash].transaction_index
            created = None
            if tx is not None and tx.to_address is None and status != 0:
                top = self.top_traces.get(tx_hash)
                created = (receipt.contract_address if receipt and receipt.contract_address
                           else top.to_address if top is not None and top.to_address
                           else contract_address(tx.from_address, tx.nonce))
                self.out.account(created, "contract")
            gas_used = receipt.gas_used if receipt else None
            price = self.effective_price(tx, receipt)
            fee = gas_used * price if gas_used is not None and price is not None else None
            row: Row = {
                "hash": tx_hash, "block_number": d.number, "tx_index": index,
                "block_hash": (tx.block_hash if tx else None) or self.block_hash,
                "time": self.time, "status": status,
                "gas_used": _int64(gas_used, "gas used", where),
                "effective_gas_price": str(price) if price is not None else None,
                "fee": str(fee) if fee is not None else None,
                "blob_fee": str(receipt.blob_fee) if receipt and receipt.blob_fee else None,
                "from": None, "to": None, "value": None, "nonce": None, "gas": None,
                "gas_price": None, "type": None, "contract_address": created,
                "seq": self.seq(index), **NO_FEE,
            }
            if status == 0:
                self.out.failed.append(tx_hash)
                self.out.counts["failed_tx"] += 1
            elif status is None and receipt is None:  # (a receipt before Byzantium: none)
                self.out.counts["status_unknown"] += 1
            if tx is not None:
                value_sum += tx.value
                row.update({
                    "from": tx.from_address, "to": tx.to_address,
                    "value": str(tx.value), "nonce": _int64(tx.nonce, "nonce", where),
                    "gas": _int64(tx.gas, "gas", where),
                    "gas_price": str(tx.gas_price) if tx.gas_price is not None else None,
                    "type": tx.transaction_type,
                })
                self.out.account(tx.from_address, "eoa")
                self.out.account(tx.to_address)
                to = tx.to_address or created
                if status != 0 and to is not None:
                    self.transfer(tx_hash, "native", ETH, tx.from_address, to, tx.value,
                                  tx_hash, index)
                    if status is None and tx.value:
                        self.out.unknown_status.append(tx_hash)
                if fee is not None and h is not None:
                    row.update(fee_fields(tx_hash, fee, gas_used or 0, h.miner,
                                          h.base_fee_per_gas, row["blob_fee"], where))
                    if row["fee_paid"] != "0":
                        self.out.counts["fee"] += 1  # transactions that paid a fee
            if row["fee_paid"] is None:
                self.out.fee_open.add(d.number)
            self.out.transactions.append(row)
        if h is not None and (h.transaction_count is None or h.transaction_count > len(hashes)):
            self.out.fee_open.add(d.number)  # its transactions may be in the graph already
        return known, value_sum

    def effective_price(self, tx: Transaction | None, receipt: Any) -> int | None:
        if receipt is not None and receipt.effective_gas_price is not None:
            return int(receipt.effective_gas_price)
        if tx is None:
            return None
        base = self.d.header.base_fee_per_gas if self.d.header else None
        if (tx.max_fee_per_gas is not None and tx.max_priority_fee_per_gas is not None
                and base is not None):
            return min(tx.max_fee_per_gas, base + tx.max_priority_fee_per_gas)
        return tx.gas_price

    def internal(self) -> None:
        d = self.d
        given = {(t.transaction_hash, t.trace_address): t.status for t in self.traces}
        computed = trace_statuses(self.traces)
        rewards = 0
        for t in self.traces:
            if t.trace_type == "reward":
                if t.to_address is not None:
                    self.transfer(f"{d.number}:reward:{rewards}", "reward", ETH, ZERO_ADDRESS,
                                  t.to_address, t.value, None, END_OF_BLOCK)
                    self.out.account(t.to_address)
                rewards += 1
                continue
            if t.trace_type == "genesis" and t.to_address is not None:
                self.transfer(genesis_id(d.number, t.to_address), "genesis", ETH, ZERO_ADDRESS,
                              t.to_address, t.value, None, None)
                continue
            if t.trace_type == "daofork" and t.from_address and t.to_address:
                self.transfer(f"{d.number}:daofork:{t.from_address}", "daofork", ETH,
                              t.from_address, t.to_address, t.value, None, None)
                continue
            if t.transaction_hash is None:
                continue
            ok = min(given[(t.transaction_hash, t.trace_address)],
                     computed[(t.transaction_hash, t.trace_address)])
            tx_ok = self.status.get(t.transaction_hash, self.tx_status(t.transaction_hash, None))
            if t.trace_type == "create" and ok and tx_ok != 0 and t.to_address:
                self.out.account(t.to_address, "contract")
            if not t.trace_address:  # the transaction's own value: the native transfer
                if "transactions" not in d.parts and ok and tx_ok != 0:
                    self.native_from_trace(t, t.transaction_hash)
                continue
            if t.trace_type == "call" and (t.call_type or "call") in NO_VALUE_CALLS:
                continue
            if not ok or tx_ok == 0:
                if t.value > 0:
                    self.out.counts["reverted_internal"] += 1
                continue
            if not t.value_known or t.from_address is None or t.to_address is None:
                self.out.counts["internal_unknown"] += 1
                continue
            self.transfer(trace_id(t), "internal", ETH, t.from_address, t.to_address, t.value,
                          t.transaction_hash, self.index_of.get(t.transaction_hash,
                                                                t.transaction_index))

    def native_from_trace(self, t: Trace, tx_hash: str) -> None:
        """A successful transaction's value, from its top-level call when this load has no
        transactions export for the block (traces loaded on their own): the same id, parties
        and amount the transaction would give, so loading the export too adds nothing."""
        if not t.value_known or t.from_address is None or t.to_address is None:
            if t.value > 0 or not t.value_known:
                self.out.counts["native_unknown"] += 1
            return
        self.transfer(tx_hash, "native", ETH, t.from_address, t.to_address, t.value, tx_hash,
                      self.index_of.get(tx_hash, t.transaction_index))

    def token_transfers(self) -> int:
        d = self.d
        by_id: dict[tuple[str, int], TokenTransfer] = {}
        erc721: set[tuple[str, int]] = set()
        for lg in d.logs:
            if is_erc721_log(lg):
                erc721.add((lg.transaction_hash, lg.log_index))
                continue
            tt = erc20_from_log(lg)
            if tt is not None:
                by_id[(tt.transaction_hash, tt.log_index)] = tt
        for tt in d.token_transfers:
            key = (tt.transaction_hash, tt.log_index)
            if key in erc721:
                continue
            seen = by_id.setdefault(key, tt)
            if _moves(seen) != _moves(tt):  # the log and the token_transfers row disagree
                raise FormatError(f"conflicts with the log at {seen.where} for the same "
                                  f"token transfer ({tt.transaction_hash} log {tt.log_index})",
                                  source=tt.where)
        if erc721:
            self.out.counts["erc721_skipped"] += len(erc721)
            self.out.not_erc20.extend(f"{h}:{i}" for h, i in sorted(erc721))
        if d.token_transfers and not d.logs and "logs" not in d.parts:
            self.out.counts["erc20_without_logs"] += len(d.token_transfers)
        n = 0
        for (tx_hash, log_index), tt in sorted(by_id.items(), key=lambda kv: kv[0][1]):
            if self.status.get(tx_hash, self.tx_status(tx_hash, None)) == 0:
                self.out.counts["erc20_of_failed_tx"] += 1
                continue
            index = self.index_of.get(tx_hash, tt.transaction_index)
            if index is None:
                self.out.counts["erc20_without_tx_index"] += 1
            self.out.account(tt.token_address, "contract")
            self.transfer(f"{tx_hash}:{log_index}", "erc20", tt.token_address, tt.from_address,
                          tt.to_address, tt.value, tx_hash, index)
            n += 1
        return n

    def withdrawals(self) -> None:
        h = self.d.header
        for w in h.withdrawals if h else ():
            self.transfer(f"{self.d.number}:withdrawal:{w.index}", "withdrawal", ETH,
                          ZERO_ADDRESS, w.address, w.amount_gwei * GWEI, None, END_OF_BLOCK)

    def rows(self) -> Rows:
        tx_count, value_sum = self.transactions()
        self.internal()
        token_count = self.token_transfers()
        self.withdrawals()
        d, h = self.d, self.d.header
        has_txs = (bool(d.transactions) or "transactions" in d.parts
                   or (h is not None and h.transaction_count == 0))
        if h is not None:
            self.out.account(h.miner)
        self.out.blocks.append({
            "number": d.number,
            "hash": self.block_hash,
            "parent_hash": h.parent_hash if h else None,
            "time": self.time,
            "miner": h.miner if h else None,
            "gas_used": h.gas_used if h else None,
            "base_fee_per_gas": _int64(h.base_fee_per_gas, "base fee", self.where) if h else None,
            "tx_count": (h.transaction_count if h and h.transaction_count is not None
                         else tx_count if has_txs else None),
            "output_value": str(value_sum) if has_txs else None,
            "token_transfer_count": token_count if d.parts & {"logs", "token_transfers"}
            else None,
            "withdrawal_count": len(h.withdrawals) if h else None,
            # traces that could not be used (geth's, naming a transaction by an index no
            # transaction of the run has) leave the block open to a later run's traces
            "parts": sorted(d.parts - ({"traces"} if self.traces_without_tx else set())),
        })
        if h is not None and h.transaction_count is not None and d.transactions \
                and len(d.transactions) != h.transaction_count:
            raise FormatError(f"block {d.number} has {h.transaction_count} transactions but "
                              f"{len(d.transactions)} were read", source=self.where)
        return self.out


def block_rows(data: BlockData) -> Rows:
    """The rows of one block. Raises FormatError (naming the source) on inconsistent data."""
    return _Block(data).rows()


def rows_beside_stored_logs(data: BlockData) -> Rows:
    """The rows of a block whose logs an earlier run loaded, given now with a token_transfers
    export but not its logs: the logs wrote every ERC-20 transfer of the block, and the
    export, which cannot tell an ERC-721 transfer from one, would add nothing but those
    (as amounts). It is left out, and the block still counts it among its parts."""
    rows = block_rows(replace(data, token_transfers=[], parts=data.parts - {"token_transfers"}))
    block = rows.blocks[0]
    block["parts"] = sorted({*block["parts"], "token_transfers"})
    return rows
