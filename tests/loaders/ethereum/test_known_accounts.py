"""The writer's memory of committed accounts (loaders.ethereum.load.KnownAccounts): what the
next batch may skip, and that the memory stays bounded."""

from __future__ import annotations

from loaders.ethereum.load import KnownAccounts


def row(address: str, kind: str | None = None) -> dict[str, str | None]:
    return {"address": address, "kind": kind}


def test_only_committed_accounts_of_the_same_kind_are_skipped() -> None:
    known = KnownAccounts(limit=10)
    batch = [row("a", "eoa"), row("b"), row("c", "contract")]
    assert known.unknown(batch) == batch  # nothing committed yet
    known.committed(batch)
    assert known.unknown([row("a"), row("a", "eoa"), row("b"), row("c", "contract")]) == []
    # a kind the graph does not have yet must be written; a new account too
    assert known.unknown([row("b", "eoa"), row("d")]) == [row("b", "eoa"), row("d")]
    known.committed([row("b", "eoa")])
    assert known.unknown([row("b", "eoa")]) == []
    known.committed([row("a")])  # seen again without a kind: the stored kind stays
    assert known.unknown([row("a", "eoa")]) == []


def test_the_memory_is_bounded_and_keeps_the_most_recently_used() -> None:
    known = KnownAccounts(limit=3)
    known.committed([row("a"), row("b"), row("c")])
    assert known.unknown([row("a")]) == []  # a is now the most recent
    known.committed([row("d")])  # b, the least recently used, is forgotten
    assert known.unknown([row(x) for x in "abcd"]) == [row("b")]
