"""Hand-built account chains for the Ethereum tracing, taint and exposure tests: accounts and
TRANSFER relationships written through the loader's own write queries
(load/ethereum/accounts, load/ethereum/transfers), so the graph has exactly the loader's
shape, with made-up addresses, hashes and amounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cypher.runner import Graph
from loaders.ethereum.address import ZERO_ADDRESS
from loaders.ethereum.amounts import amount_fields
from tests.helpers import write_tags

SEQ = 100_000
"""seq = block * SEQ + tx_index (loaders.ethereum.rows)."""
T0 = 1_700_000_000
"""The time of block 0 of a hand-built chain; a block is 12 s."""


def acct(name: str) -> str:
    """A made-up account: the name's letters (hex digits only) repeated to 40 digits."""
    return "0x" + (name * 40)[:40]


def txh(block: int, index: int) -> str:
    """A made-up transaction hash for (block, index)."""
    return "0x" + f"{block:032x}{index:032x}"


@dataclass(frozen=True, slots=True)
class T:
    """One transfer of a hand-built chain. `sub` tells apart several transfers of one
    transaction: '' is the native value (id = the tx hash), a number an ERC-20 log index
    (id 'tx:n'), '0', '0,1' ... an internal call; kind 'fee' is not a transfer but the fee
    booked on transaction `tx` (see `fee_row`)."""

    frm: str
    to: str
    value: int
    block: int
    index: int = 0
    asset: str = "ETH"
    kind: str = "native"
    sub: str = ""

    @property
    def tx(self) -> str:
        return txh(self.block, self.index)

    @property
    def id(self) -> str:
        if self.kind in ("reward", "withdrawal", "genesis"):
            return f"{self.block}:{self.kind}:{self.sub or self.to}"
        return self.tx if not self.sub else f"{self.tx}:{self.sub}"

    @property
    def seq(self) -> int:
        return self.block * SEQ + self.index

    def row(self) -> dict[str, object]:
        issuance = self.kind in ("reward", "withdrawal", "genesis")
        return {"id": self.id, "kind": self.kind, "asset": self.asset, "from": self.frm,
                "to": self.to, **amount_fields(self.value), "block": self.block,
                "tx_index": 99_999 if issuance else self.index,
                "seq": self.block * SEQ + (99_999 if issuance else self.index),
                "time": T0 + 12 * self.block, "tx_hash": None if issuance else self.tx}


def fee_row(t: T) -> dict[str, object]:
    """A fee T as the loader books it: on its transaction (load/ethereum/transactions), paid
    by `frm`, all of it the tip of miner `to` (nothing burnt)."""
    paid = amount_fields(t.value)
    return {"hash": t.tx, "block_number": t.block, "tx_index": t.index, "block_hash": None,
            "time": T0 + 12 * t.block, "status": 1, "gas_used": None,
            "effective_gas_price": None, "fee": paid["value"], "from": t.frm, "to": None,
            "value": None, "nonce": None, "gas": None, "gas_price": None, "type": None,
            "contract_address": None, "seq": t.seq, "miner": t.to,
            "fee_paid": paid["value"], "fee_paid_limbs": paid["limbs"], "tip": paid["value"],
            "tip_limbs": paid["limbs"], "burnt": "0"}


def write_chain(graph: Graph, transfers: Sequence[T],
                tags: Sequence[tuple[str, str, str]] = ()) -> None:
    """Write the transfers (and their accounts), and (address, label, category) tags on
    accounts, into the (emptied) graph."""
    accounts = sorted({a for t in transfers for a in (t.frm, t.to)} | {ZERO_ADDRESS})
    rows = [t.row() for t in transfers if t.kind != "fee"]
    fees = [fee_row(t) for t in transfers if t.kind == "fee"]

    def work(tx: object) -> None:
        graph.run_write(tx, "load/ethereum/accounts",  # type: ignore[arg-type]
                        {"rows": [{"address": a, "kind": None} for a in accounts]})
        graph.run_write(tx, "load/ethereum/transfers", {"rows": rows})  # type: ignore[arg-type]
        graph.run_write(tx, "load/ethereum/transactions",  # type: ignore[arg-type]
                        {"rows": fees})

    graph.write(work, "hand-built account chain")
    write_tags(graph, [{"id": f"eth-tag-{i}", "address": address, "label": label,
                        "category": category, "source": "test", "confidence": 50,
                        "currency": "ETH"} for i, (address, label, category) in enumerate(tags)])
