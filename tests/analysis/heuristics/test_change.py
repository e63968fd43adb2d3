"""Change-output heuristics on hand-built transactions: each rule deciding, each declining
(no candidate, several candidates, missing data), `annotate` and `parse_names`."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from analysis.heuristics import change
from analysis.heuristics.change import HEURISTICS, annotate, parse_names
from analysis.heuristics.views import InputView, OutputView, TxView
from chaintrail.errors import ConfigError

In = tuple[str | None, int | None, str | None]
Out = tuple[int, str, str | None, int | None]
"""(value, script type, address, address_outputs)."""


def view(ins: Sequence[In], outs: Sequence[Out]) -> TxView:
    return TxView(
        "t",
        tuple(InputView(a, v, t) for a, v, t in ins),
        tuple(OutputView(n, v, t, a, c) for n, (v, t, a, c) in enumerate(outs)),
    )


def find(name: str, tx: TxView) -> int | None:
    return HEURISTICS[name].find(tx)


OP_RETURN: Out = (0, "nulldata", None, None)


def test_the_heuristics() -> None:
    assert list(HEURISTICS) == ["address_reuse", "one_time_change", "optimal_change",
                                "power_of_ten"]  # fmt: skip
    assert all(h.version == 1 and h.name == name and h.description
               for name, h in HEURISTICS.items())  # fmt: skip
    assert change.ROUND_SAT == 100_000


# --- address_reuse ---------------------------------------------------------------------------


def test_address_reuse_names_the_output_back_to_an_input() -> None:
    tx = view([("A", 5_000_000, "p2pkh"), ("B", 1_000_000, "p2pkh")],
              [(3_000_000, "p2pkh", "X", 1), (2_990_000, "p2pkh", "B", 3)])  # fmt: skip
    assert find("address_reuse", tx) == 1


def test_address_reuse_declines() -> None:
    ins: list[In] = [("A", 5_000_000, "p2pkh"), ("B", 1_000_000, "p2pkh")]
    # both outputs back to inputs: which one is change?
    assert find("address_reuse", view(ins, [(3_000_000, "p2pkh", "A", 2),
                                            (2_990_000, "p2pkh", "B", 2)])) is None
    # none back
    assert find("address_reuse", view(ins, [(3_000_000, "p2pkh", "X", 1),
                                            (2_990_000, "p2pkh", "Y", 1)])) is None
    # one output with an address: nothing to choose between
    assert find("address_reuse", view(ins, [(5_990_000, "p2pkh", "A", 2), OP_RETURN])) is None
    # a coinbase has no inputs
    assert find("address_reuse", view([], [(1, "p2pkh", "A", 1), (2, "p2pkh", "B", 1)])) is None


# --- one_time_change -------------------------------------------------------------------------


def test_one_time_change_is_the_fresh_output_of_the_inputs_type() -> None:
    tx = view([("A", 5_000_000, "p2wpkh"), ("B", 2_000_000, "p2wpkh")],
              [(4_321_000, "p2pkh", "X", 1),  # the payee: another type
               (2_654_321, "p2wpkh", "C", 1),  # fresh, same type, not round: change
               (1_000_000, "p2wpkh", "D", 1),  # round
               (15_432, "p2wpkh", "E", 4),  # the address receives elsewhere too
               OP_RETURN])  # fmt: skip
    assert find("one_time_change", tx) == 1


def test_one_time_change_counts_p2pk_as_p2pkh() -> None:
    tx = view([(None, 5_000_000_000, "p2pk")],
              [(1_000_000_000, "p2sh", "X", 1), (3_999_990_123, "p2pkh", "C", 1)])  # fmt: skip
    assert find("one_time_change", tx) == 1
    tx = view([("A", 5_000_000, "p2pkh")],
              [(1_000_000, "p2sh", "X", 1), (3_999_876, "p2pk", "C", 1)])  # fmt: skip
    assert find("one_time_change", tx) == 1


def test_one_time_change_declines() -> None:
    outs: list[Out] = [(1_234_567, "p2wpkh", "X", 1), (2_654_321, "p2wpkh", "C", 1)]
    # two fresh candidates of the inputs' type
    assert find("one_time_change", view([("A", 5_000_000, "p2wpkh")], outs)) is None
    # inputs of two types
    two_types: list[In] = [("A", 5_000_000, "p2wpkh"), ("B", 1_000_000, "p2tr")]
    assert find("one_time_change", view(two_types, outs)) is None
    # an input not loaded yet: its type is unknown
    assert find("one_time_change", view([(None, None, None)], outs)) is None
    # the only candidate pays an input address
    back: list[Out] = [(1_234_567, "p2pkh", "X", 1), (2_654_321, "p2wpkh", "A", 1)]
    assert find("one_time_change", view([("A", 5_000_000, "p2wpkh")], back)) is None
    # round values are payments
    round_: list[Out] = [(1_234_567, "p2pkh", "X", 1), (2_600_000, "p2wpkh", "C", 1)]
    assert find("one_time_change", view([("A", 5_000_000, "p2wpkh")], round_)) is None


# --- optimal_change --------------------------------------------------------------------------


def test_optimal_change_is_the_output_smaller_than_every_input() -> None:
    tx = view([("A", 3_000_000, "p2wpkh"), ("B", 2_000_000, "p2wpkh")],
              [(4_500_000, "p2wpkh", "X", 1), (490_000, "p2wpkh", "C", 1), OP_RETURN])  # fmt: skip
    assert find("optimal_change", tx) == 1


def test_optimal_change_declines() -> None:
    ins: list[In] = [("A", 3_000_000, "p2wpkh"), ("B", 2_000_000, "p2wpkh")]
    # both outputs smaller than every input (always so with one input)
    assert find("optimal_change", view(ins, [(1_500_000, "p2wpkh", "X", 1),
                                             (1_490_000, "p2wpkh", "C", 1)])) is None
    # none smaller
    assert find("optimal_change", view(ins, [(2_500_000, "p2wpkh", "X", 1),
                                             (2_490_000, "p2wpkh", "C", 1)])) is None
    # an input value unknown
    unresolved: list[In] = [("A", 3_000_000, "p2wpkh"), (None, None, None)]
    assert find("optimal_change", view(unresolved, [(4_500_000, "p2wpkh", "X", 1),
                                                    (490_000, "p2wpkh", "C", 1)])) is None
    # the smaller output is bare multisig (no address): never named, and the other smaller
    # output makes it ambiguous anyway
    assert find("optimal_change", view(ins, [(4_000_000, "p2wpkh", "X", 1),
                                             (400_000, "multisig", None, None),
                                             (590_000, "p2wpkh", "Y", 1)])) is None
    assert find("optimal_change", view(ins, [(4_000_000, "p2wpkh", "X", 1),
                                             (990_000, "multisig", None, None),
                                             (3_000_000, "p2wpkh", "Y", 1)])) is None


# --- power_of_ten ----------------------------------------------------------------------------


def test_power_of_ten_the_round_output_is_the_payment() -> None:
    ins: list[In] = [("A", 20_000_000, "p2pkh")]
    assert find("power_of_ten", view(ins, [(15_000_000, "p2pkh", "X", 1),
                                           (4_987_654, "p2pkh", "C", 1)])) == 1
    assert find("power_of_ten", view(ins, [(4_987_654, "p2pkh", "C", 1), OP_RETURN,
                                           (100_000, "p2pkh", "X", 1)])) == 0


def test_power_of_ten_declines() -> None:
    ins: list[In] = [("A", 20_000_000, "p2pkh")]
    # both round, neither round
    assert find("power_of_ten", view(ins, [(15_000_000, "p2pkh", "X", 1),
                                           (4_900_000, "p2pkh", "C", 1)])) is None
    assert find("power_of_ten", view(ins, [(15_012_345, "p2pkh", "X", 1),
                                           (4_987_654, "p2pkh", "C", 1)])) is None
    # three outputs
    assert find("power_of_ten", view(ins, [(15_000_000, "p2pkh", "X", 1),
                                           (2_987_654, "p2pkh", "C", 1),
                                           (1_987_654, "p2pkh", "D", 1)])) is None
    # the non-round one has no address: never named
    assert find("power_of_ten", view(ins, [(15_000_000, "p2pkh", "X", 1),
                                           (4_987_654, "multisig", None, None)])) is None
    # 0.0001 BTC is not round (the unit is 0.001 BTC)
    assert find("power_of_ten", view(ins, [(15_010_000, "p2pkh", "X", 1),
                                           (4_987_654, "p2pkh", "C", 1)])) is None


# --- annotate --------------------------------------------------------------------------------


def test_annotate_lists_every_heuristic_per_output() -> None:
    tx = view([("A", 20_000_000, "p2wpkh"), ("B", 6_000_000, "p2wpkh")],
              [(20_000_000, "p2pkh", "X", 1), (5_987_654, "p2wpkh", "C", 1)])  # fmt: skip
    assert annotate(tx) == {1: ["one_time_change@1", "optimal_change@1", "power_of_ten@1"]}
    # rules may disagree: each names its own output
    tx = view([("A", 20_000_000, "p2wpkh"), ("B", 6_000_000, "p2wpkh")],
              [(20_000_000, "p2pkh", "A", 5), (5_987_654, "p2wpkh", "C", 1)])  # fmt: skip
    assert annotate(tx) == {0: ["address_reuse@1"],
                            1: ["one_time_change@1", "optimal_change@1", "power_of_ten@1"]}


def test_annotate_of_an_undecided_transaction_is_empty() -> None:
    tx = view([("A", 2_000_000, "p2wpkh")],
              [(1_234_567, "p2wpkh", "X", 1), (765_432, "p2wpkh", "Y", 1)])  # fmt: skip
    assert annotate(tx) == {}
    assert annotate(view([], [(5_000_000_000, "p2pkh", "M", 1)])) == {}


# --- parse_names -----------------------------------------------------------------------------


def test_parse_names() -> None:
    assert parse_names("") == ()
    assert parse_names(" , ,") == ()
    assert parse_names("power_of_ten, address_reuse,power_of_ten") == (
        "address_reuse", "power_of_ten")  # fmt: skip
    assert parse_names(("optimal_change", " one_time_change ")) == (
        "one_time_change", "optimal_change")  # fmt: skip
    assert parse_names([]) == ()
    assert parse_names(",".join(HEURISTICS)) == tuple(sorted(HEURISTICS))


def test_unknown_name_is_a_config_error_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        parse_names("power_of_ten,peel_chain")
    msg = str(err.value)
    assert "'peel_chain'" in msg
    assert "known: address_reuse, one_time_change, optimal_change, power_of_ten" in msg
    with pytest.raises(ConfigError, match="'Power_Of_Ten'"):
        parse_names(["Power_Of_Ten"])
