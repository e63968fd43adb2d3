"""Chain placement from headers alone: heights, forks, detached stretches, load order."""

from __future__ import annotations

import itertools
import random

from loaders.bitcoin.chain import ZERO_HASH, Header, MainTips, block_work, place

EASY = 0x1D00FFFF  # difficulty 1
HARD = 0x1C7FFFFF  # about twice the work of EASY
GENESIS = {"mainnet": "9" * 64}


def h(name: str) -> str:
    return name.ljust(64, "0")


def chain(names: str, parent: str = ZERO_HASH, bits: int = EASY) -> list[Header]:
    out = []
    for n in names:
        out.append(Header(h(n), parent, bits))
        parent = h(n)
    return out


def by_hash(headers: list[Header]) -> dict[str, Header]:
    return {x.hash: x for x in headers}


def test_block_work_matches_bitcoin_core() -> None:
    assert block_work(EASY) == 0x100010001
    assert block_work(HARD) > block_work(EASY)
    assert block_work(0x1D80FFFF) == 0  # negative target
    assert block_work(0) == 0


def test_linear_chain_from_genesis_is_main_with_heights() -> None:
    hs = chain("abc")
    p = place(by_hash(hs), GENESIS)
    assert [(p[x.hash].height, p[x.hash].status) for x in hs] == [
        (0, "main"), (1, "main"), (2, "main")]
    assert p[h("c")].chainwork == 3 * block_work(EASY)


def test_child_of_known_genesis_is_height_one() -> None:
    hs = chain("xy", parent=GENESIS["mainnet"])
    p = place(by_hash(hs), GENESIS)
    assert [p[x.hash].height for x in hs] == [1, 2]
    assert {p[x.hash].status for x in hs} == {"main"}


def test_fork_most_work_wins_not_longest() -> None:
    main = chain("abcd")  # a-b-c-d: three EASY blocks after a
    fork = [Header(h("e"), h("a"), HARD), Header(h("f"), h("e"), HARD)]  # two HARD blocks
    assert 2 * block_work(HARD) > 3 * block_work(EASY)
    p = place(by_hash(main + fork), GENESIS)
    assert [p[h(n)].status for n in "aef"] == ["main"] * 3
    assert [p[h(n)].status for n in "bcd"] == ["stale"] * 3
    assert p[h("d")].height == 3 and p[h("f")].height == 2


def test_equal_work_tie_is_broken_by_hash_not_order() -> None:
    hs = [*chain("ab"), Header(h("c"), h("a"), EASY)]
    p = place(by_hash(hs), GENESIS)
    assert p[h("b")].status == "main" and p[h("c")].status == "stale"
    p2 = place(by_hash(list(reversed(hs))), GENESIS)
    assert p2 == p


def test_detached_stretch_takes_bip34_height_and_none_is_guessed() -> None:
    hs = [Header(h("p"), h("u"), EASY), Header(h("q"), h("p"), EASY, bip34_height=500)]
    p = place(by_hash(hs), GENESIS)
    assert (p[h("p")].height, p[h("p")].status) == (499, "detached")
    assert (p[h("q")].height, p[h("q")].status) == (500, "detached")
    alone = [Header(h("r"), h("v"), EASY)]
    assert place(by_hash(alone), GENESIS)[h("r")].height is None


def test_hint_beats_bip34() -> None:
    hs = [Header(h("p"), h("z"), EASY, bip34_height=7, height_hint=9)]
    assert place(by_hash(hs), GENESIS)[h("p")].height == 9


def test_any_arrival_order_gives_the_same_placement() -> None:
    hs = [*chain("abcdef"), Header(h("x"), h("c"), HARD), Header(h("y"), h("x"), HARD)]
    reference = place(by_hash(hs), GENESIS)
    assert reference[h("y")].status == "main" and reference[h("f")].status == "stale"
    rnd = random.Random(7)
    for _ in range(20):
        shuffled = hs[:]
        rnd.shuffle(shuffled)
        assert place(by_hash(shuffled), GENESIS) == reference
    for perm in itertools.islice(itertools.permutations(hs[:4]), 24):
        assert place(by_hash(list(perm)), GENESIS) == place(by_hash(hs[:4]), GENESIS)


def test_main_tips_place_a_chain_written_in_order_as_place_does() -> None:
    hs = chain("abcdef")
    tips = MainTips({}, {})
    assert {x.hash: tips.extend(x) for x in hs} == place(by_hash(hs), GENESIS)


def test_main_tips_extend_the_loaded_chain_and_leave_the_rest_to_place() -> None:
    loaded = chain("abc")
    tips = MainTips(by_hash(loaded), place(by_hash(loaded), GENESIS))
    d, e = Header(h("d"), h("c"), EASY), Header(h("e"), h("d"), HARD)
    fork = Header(h("x"), h("b"), HARD)  # off a block that is not the tip
    stranger = Header(h("s"), h("q"), EASY)  # parent not loaded, not a genesis
    got = [tips.extend(x) for x in (d, fork, stranger, e, d)]
    final = place(by_hash([*loaded, d, e, fork, stranger]), GENESIS)
    assert got == [final[d.hash], None, None, final[e.hash], None]  # d again: written before
    assert (final[e.hash].height, final[e.hash].status) == (4, "main")
    # A block whose child was written first is left to place (its tree is not a plain chain).
    tips = MainTips({}, {})
    assert tips.extend(Header(h("b"), h("a"), EASY)) is None
    assert tips.extend(Header(h("a"), ZERO_HASH, EASY)) is None
