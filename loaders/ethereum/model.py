"""What the sources are read into: plain, exact values (ints for amounts, lower-case hex).

Every record keeps `where` (file and line, or node URL and block number) so that a problem
found later, in the transform, still names its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A consensus-layer withdrawal (after Shanghai): `amount` in gwei, credited at the end
    of the block."""

    index: int
    validator_index: int
    address: str
    amount_gwei: int


@dataclass(frozen=True, slots=True)
class BlockHeader:
    number: int
    hash: str
    parent_hash: str
    timestamp: int
    miner: str
    transaction_count: int | None = None
    gas_used: int | None = None
    base_fee_per_gas: int | None = None
    withdrawals: tuple[Withdrawal, ...] = ()
    where: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    """The parts of a receipt the model uses. `status` is None before Byzantium (the node
    gives a state root instead)."""

    transaction_hash: str
    transaction_index: int | None
    block_number: int
    status: int | None
    gas_used: int | None
    effective_gas_price: int | None
    contract_address: str | None
    blob_fee: int | None = None
    """blobGasUsed * blobGasPrice (type-3 transactions, after Dencun): burnt, like the base fee."""
    where: str = ""


@dataclass(frozen=True, slots=True)
class Transaction:
    hash: str
    block_number: int
    transaction_index: int
    from_address: str
    to_address: str | None
    value: int
    nonce: int
    gas: int | None = None
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    transaction_type: int | None = None
    block_hash: str | None = None
    block_timestamp: int | None = None
    receipt: Receipt | None = None
    """Receipt columns carried by the transaction itself (ethereum-etl's stream export)."""
    where: str = ""


@dataclass(frozen=True, slots=True)
class Log:
    """An event log; only ERC-20 `Transfer` logs are turned into transfers."""

    transaction_hash: str
    transaction_index: int | None
    log_index: int
    block_number: int
    address: str
    topics: tuple[str, ...]
    data: str
    where: str = ""


@dataclass(frozen=True, slots=True)
class TokenTransfer:
    token_address: str
    from_address: str
    to_address: str
    value: int
    transaction_hash: str
    log_index: int
    block_number: int
    transaction_index: int | None = None
    where: str = ""


@dataclass(frozen=True, slots=True)
class Trace:
    """One node of a transaction's call tree, flat, in ethereum-etl's terms.

    `trace_type`: call, create, suicide, reward, genesis or daofork (the last two: balance
    changes outside any transaction); `call_type`: call, callcode, delegatecall or
    staticcall (calls only); `trace_address`: the path from the top-level call (empty for it).
    `status` is 0 when this call or one of its ancestors failed (its effects were undone).
    """

    block_number: int
    transaction_hash: str | None
    transaction_index: int | None
    trace_address: tuple[int, ...]
    trace_type: str
    call_type: str | None
    from_address: str | None
    to_address: str | None
    value: int
    error: str | None
    status: int
    reward_type: str | None = None
    value_known: bool = True
    """False when the source does not say how much moved (a self-destruct in struct logs
    whose balance could not be found, or in an old geth call trace): counted, not guessed."""
    where: str = ""


@dataclass(frozen=True, slots=True)
class Token:
    address: str
    symbol: str | None
    name: str | None
    decimals: int | None
    where: str = ""


@dataclass(slots=True)
class BlockData:
    """Everything a run has for one block number, from any number of sources."""

    number: int
    header: BlockHeader | None = None
    transactions: dict[str, Transaction] = field(default_factory=dict)
    receipts: dict[str, Receipt] = field(default_factory=dict)
    logs: list[Log] = field(default_factory=list)
    token_transfers: list[TokenTransfer] = field(default_factory=list)
    traces: list[Trace] = field(default_factory=list)
    parts: set[str] = field(default_factory=set)
    """The kinds of source that contributed (blocks, transactions, receipts, logs,
    token_transfers, traces; or rpc and the trace method)."""
