"""analysis.clustering's pure part: the plan for one chunk, on hand-written transactions."""

from __future__ import annotations

import pytest

from analysis.clustering import ClusterConfig, ClusterInfo, Pending, plan
from analysis.heuristics.views import InputView, OutputView, TxView
from chaintrail.errors import ConfigError


def tx(txid: str, ins: list[str], outs: list[tuple[int, str]] | None = None,
       value: int = 1_000_000) -> TxView:
    outputs = outs or [(value * len(ins) - 1_000, "zz-pay")]
    return TxView(
        txid,
        tuple(InputView(a, value, "p2wpkh") for a in ins),
        tuple(OutputView(n, v, "p2wpkh", a, 1) for n, (v, a) in enumerate(outputs)),
    )


def test_new_addresses_make_a_cluster_named_by_its_smallest_address() -> None:
    p = plan([Pending(tx("t1", ["c", "a", "b"]), {})], ClusterConfig())
    assert p.absorb == []
    assert p.grow == [{"keep": None, "id": "a", "size": 3, "add": ["a", "b", "c"],
                       "top_txid": "t1", "top_n": 3}]
    # the evidence is the transaction: it records the heuristic that linked its addresses
    assert [(r["txid"], r["link_heuristics"], r["link_versions"]) for r in p.annotate] == [
        ("t1", ["multi_input"], [1])]
    assert (p.links, p.done, p.unlink) == ([], ["t1"], [])
    assert p.merges == 2  # three one-address clusters became one


def test_the_smaller_cluster_joins_the_larger_and_the_id_is_the_smallest_address() -> None:
    big = ClusterInfo("m", 10, "tbig", 6)
    small = ClusterInfo("b", 2, "tsmall", 2)
    p = plan([Pending(tx("t9", ["m", "b", "new"]), {"m": big, "b": small})], ClusterConfig())
    assert p.absorb == [{"keep": "m", "absorb": ["b"]}]
    assert p.grow == [{"keep": "m", "id": "b", "size": 13, "add": ["new"],
                       "top_txid": "tbig", "top_n": 6}]


def test_merges_within_one_chunk_chain_together() -> None:
    rows = [Pending(tx("t1", ["a", "b"]), {}), Pending(tx("t2", ["b", "c"]), {}),
            Pending(tx("t3", ["x", "y"]), {})]
    p = plan(rows, ClusterConfig())
    assert sorted((g["id"], g["size"], g["add"]) for g in p.grow) == [
        ("a", 3, ["a", "b", "c"]), ("x", 2, ["x", "y"])]
    # a tie in addresses linked goes to the smaller txid, whatever the order of processing
    assert {g["id"]: g["top_txid"] for g in p.grow} == {"a": "t1", "x": "t3"}
    assert plan(list(reversed(rows)), ClusterConfig()).grow == p.grow


def test_nothing_to_write_for_a_cluster_that_does_not_change() -> None:
    info = ClusterInfo("a", 2, "t0", 2)
    p = plan([Pending(tx("t1", ["a", "b"]), {"a": info, "b": info})], ClusterConfig())
    assert (p.absorb, p.grow, p.merges) == ([], [], 0)
    assert p.annotate[0]["link_heuristics"] == ["multi_input"]  # the evidence is still recorded


def whirlpool(txid: str) -> TxView:
    return tx(txid, ["p", "q", "r", "s", "t"],
              [(1_000_000, f"o{i}") for i in range(5)], value=1_000_000)


def test_a_flagged_coinjoin_does_not_merge_with_the_filter_on() -> None:
    p = plan([Pending(whirlpool("cj"), {})], ClusterConfig(coinjoin_filter=True))
    assert (p.grow, p.skipped_coinjoins) == ([], 1)
    assert (p.annotate[0]["kind"], p.annotate[0]["skipped"], p.done, p.links) == (
        "whirlpool_mix", True, ["cj"], [])
    assert (p.annotate[0]["link_heuristics"], p.annotate[0]["link_versions"]) == (None, None)
    off = plan([Pending(whirlpool("cj"), {})], ClusterConfig(coinjoin_filter=False))
    assert off.grow[0]["size"] == 5
    assert (off.annotate[0]["kind"], off.annotate[0]["skipped"]) == ("whirlpool_mix", None)


def test_a_merge_of_two_big_clusters_is_a_warning_with_the_txid() -> None:
    a, b = ClusterInfo("a", 50, "ta", 2), ClusterInfo("b", 40, "tb", 2)
    p = plan([Pending(tx("tbad", ["a", "b"]), {"a": a, "b": b})], ClusterConfig(), warn_size=30)
    assert len(p.warnings) == 1 and "tbad" in p.warnings[0]
    assert plan([Pending(tx("tok", ["a", "b"]), {"a": a, "b": b})], ClusterConfig(),
                warn_size=45).warnings == []


def test_the_warning_names_the_merge_that_came_first_in_the_chain() -> None:
    """Two transactions of one chunk merge the same two big clusters: the one earlier in
    the chain (by height) did it, whatever their txids say; the later one merges nothing."""
    a, b = ClusterInfo("a", 50, "ta", 2), ClusterInfo("b", 40, "tb", 2)
    both = {"a": a, "b": b}
    p = plan([Pending(tx("a_late", ["a", "b"]), both, height=10),
              Pending(tx("z_early", ["a", "b"]), both, height=5)], ClusterConfig(),
             warn_size=30)
    assert len(p.warnings) == 1 and "z_early" in p.warnings[0]
    # in one block, by the place in the block, not by txid
    p = plan([Pending(tx("a_late", ["a", "b"]), both, height=5, position=7),
              Pending(tx("z_early", ["a", "b"]), both, height=5, position=2)], ClusterConfig(),
             warn_size=30)
    assert len(p.warnings) == 1 and "z_early" in p.warnings[0]


def test_change_heuristics_link_only_when_chosen() -> None:
    view = tx("t1", ["a", "b"], [(15_000_000, "pay"), (1_234_567, "chg")], value=10_000_000)
    plain = plan([Pending(view, {})], ClusterConfig())
    assert [g["add"] for g in plain.grow] == [["a", "b"]]
    ann = plain.annotate[0]
    assert "power_of_ten@1" in ann["change_heuristics"]
    linked = plan([Pending(view, {})], ClusterConfig(change_heuristics=("power_of_ten",)))
    assert [g["add"] for g in linked.grow] == [["a", "b", "chg"]]
    assert linked.links == [{"txid": "t1", "n": 1, "heuristic": "power_of_ten", "version": 1}]
    assert (linked.annotate[0]["link_heuristics"], linked.annotate[0]["link_versions"]) == (
        ["multi_input", "power_of_ten"], [1, 1])
    assert plain.links == [] and plain.annotate[0]["link_heuristics"] == ["multi_input"]


def test_one_input_address_and_a_change_link() -> None:
    """No multi-input evidence with one input address; the change link is still recorded."""
    view = tx("t1", ["a"], [(5_000_000, "pay"), (1_234_567, "chg")], value=10_000_000)
    p = plan([Pending(view, {})], ClusterConfig(change_heuristics=("power_of_ten",)))
    assert [g["add"] for g in p.grow] == [["a", "chg"]]
    assert p.links == [{"txid": "t1", "n": 1, "heuristic": "power_of_ten", "version": 1}]
    assert (p.annotate[0]["link_heuristics"], p.annotate[0]["link_versions"]) == (
        ["power_of_ten"], [1])


def test_a_transaction_clustered_before_has_its_links_replaced() -> None:
    p = plan([Pending(tx("t1", ["a", "b"]), {}, seen=True),
              Pending(tx("t2", ["x"]), {}, seen=False)], ClusterConfig())
    assert p.unlink == ["t1"]
    assert p.done == ["t1", "t2"]
    # a transaction clustered again always gets its annotations written, so old ones go
    again = plan([Pending(tx("t3", ["x"], [(1_000_000, "y")]), {}, seen=True)], ClusterConfig())
    assert [(r["txid"], r["link_heuristics"]) for r in again.annotate] == [("t3", None)]
    # ... as absent (null), the way a first clustering with nothing to say leaves them: not
    # as empty lists, which made a transaction clustered twice differ from one clustered once
    assert (again.annotate[0]["change_heuristics"], again.annotate[0]["change_outputs"]) == (
        None, None)
    assert plan([Pending(tx("t3", ["x"], [(1_000_000, "y")]), {})], ClusterConfig()
                ).annotate == []


def test_unknown_change_heuristic_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="nonsense"):
        ClusterConfig(change_heuristics=("nonsense",))
