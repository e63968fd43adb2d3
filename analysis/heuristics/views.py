"""What a heuristic sees of one transaction: its inputs and outputs with values and addresses.

Plain frozen dataclasses built from the rows `cluster/pending` returns, so every rule is a pure
function that tests can call on a hand-written transaction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputView:
    """One input: the output it spends (value, script type, address; address None when the
    script has none, value None when that output is not loaded yet)."""

    address: str | None
    value: int | None
    script_type: str | None


@dataclass(frozen=True, slots=True)
class OutputView:
    """One output. `address_outputs` is how many outputs in the loaded graph pay its address
    (1: this is the only one), None for an output without an address."""

    n: int
    value: int
    script_type: str
    address: str | None
    address_outputs: int | None = None


@dataclass(frozen=True, slots=True)
class TxView:
    txid: str
    inputs: tuple[InputView, ...]
    outputs: tuple[OutputView, ...]

    @property
    def input_addresses(self) -> frozenset[str]:
        return frozenset(i.address for i in self.inputs if i.address is not None)

    @property
    def resolved(self) -> bool:
        """Every input's spent output is loaded (value known)."""
        return all(i.value is not None for i in self.inputs)
