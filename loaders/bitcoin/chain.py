"""Chain placement: heights and main/stale/detached status from block headers alone.

Blocks arrive in any order (blk files store them as received; a user may load a range from
the middle), so placement is recomputed from the headers in the database after each load
rather than assumed from file order. Pure: headers in, placements out.

Rules:
- A *root* is a block whose parent is not loaded. It is *anchored* when its parent is known to
  the network parameters: none (prev hash all zero, the genesis block itself: height 0) or the
  network's genesis hash (height 1). Anchored trees form the chain; every other tree is a
  *detached* stretch, loaded without its ancestors.
- A detached root takes its height from the source (`height_hint`: the node's answer or
  `--height`), else from a BIP34 height in the coinbase of any block of its tree (minus that
  block's depth). Otherwise its tree has no heights: none is guessed.
- Within a tree, the tip with the most cumulative work wins (ties: the smaller hash, so the
  answer does not depend on load order); the blocks from it back to the root are `main`
  (anchored) or `detached`; every other block of the tree is `stale`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from loaders.bitcoin.verify import block_work

ZERO_HASH = "0" * 64
__all__ = ["ZERO_HASH", "Header", "MainTips", "Placement", "block_work", "place"]


@dataclass(frozen=True, slots=True)
class Header:
    hash: str
    prev_hash: str
    bits: int
    bip34_height: int | None = None
    height_hint: int | None = None
    network: str = "mainnet"


@dataclass(frozen=True, slots=True)
class Placement:
    height: int | None
    status: str
    """main, stale or detached."""
    chainwork: int
    """Cumulative work from the root of the block's tree (absolute for anchored trees)."""


def place(headers: Mapping[str, Header], genesis: Mapping[str, str]) -> dict[str, Placement]:
    """Place every block. `genesis` maps a network name to its genesis block hash."""
    children: dict[str, list[str]] = defaultdict(list)
    for h in headers.values():
        children[h.prev_hash].append(h.hash)
    out: dict[str, Placement] = {}
    roots = sorted(h.hash for h in headers.values() if h.prev_hash not in headers)
    for root in roots:
        _place_tree(headers, children, genesis, root, out)
    return out


def _place_tree(
    headers: Mapping[str, Header],
    children: Mapping[str, list[str]],
    genesis: Mapping[str, str],
    root: str,
    out: dict[str, Placement],
) -> None:
    r = headers[root]
    anchored_height: int | None = None
    if r.prev_hash == ZERO_HASH:
        anchored_height = 0
    elif genesis.get(r.network) == r.prev_hash:
        anchored_height = 1
    # Walk the tree once (iteratively: chains are deep): depth, cumulative work, parent.
    depth: dict[str, int] = {root: 0}
    work: dict[str, int] = {root: block_work(r.bits)}
    order = [root]
    stack = [root]
    while stack:
        node = stack.pop()
        for child in children.get(node, ()):
            if child in depth:  # a hash cannot repeat; guard against malformed input anyway
                continue
            depth[child] = depth[node] + 1
            work[child] = work[node] + block_work(headers[child].bits)
            order.append(child)
            stack.append(child)
    root_height = anchored_height
    if root_height is None:
        root_height = _root_height_from_hints(headers, order, depth)
    # Best tip: most work, then smallest hash.
    leaves = [n for n in order if not children.get(n)]
    best = min(leaves, key=lambda n: (-work[n], n))
    best_path: set[str] = set()
    walk: str | None = best
    while walk is not None:
        best_path.add(walk)
        prev = headers[walk].prev_hash
        walk = prev if prev in depth else None
    on_best = "main" if anchored_height is not None else "detached"
    for n in order:
        height = None if root_height is None else root_height + depth[n]
        out[n] = Placement(height, on_best if n in best_path else "stale", work[n])


def _root_height_from_hints(
    headers: Mapping[str, Header], order: list[str], depth: Mapping[str, int]
) -> int | None:
    """A detached tree's root height: a source's stated height first, then BIP34."""
    for attr in ("height_hint", "bip34_height"):
        for n in order:
            h = getattr(headers[n], attr)
            if h is not None and h - depth[n] >= 0:
                return int(h) - depth[n]
    return None


class MainTips:
    """The tips of the main chains, so that a load can place a block that extends one as it
    writes it, instead of writing every transaction a second time in chain placement.

    Only a block whose parent is the best tip of an anchored tree is placed here (height + 1,
    `main`, the parent's work plus its own), and a genesis block that starts a tree of its own;
    every other block is left to `place`. The placement after the load stays the authority: a
    block placed here that the whole picture places otherwise is written again then.
    """

    def __init__(self, headers: Mapping[str, Header], placed: Mapping[str, Placement]) -> None:
        self.known: set[str] = set(headers)
        self.parents: set[str] = {h.prev_hash for h in headers.values()}
        self.tips: dict[str, Placement] = {
            h: p for h, p in placed.items()
            if p.status == "main" and p.height is not None and h not in self.parents}

    def extend(self, h: Header) -> Placement | None:
        """The placement of a block written now, when it is certain; None otherwise."""
        known = h.hash in self.known
        self.known.add(h.hash)
        self.parents.add(h.prev_hash)
        if known or h.hash in self.parents:  # written before, or its children were
            return None
        parent = self.tips.pop(h.prev_hash, None)
        if parent is not None and parent.height is not None:
            p = Placement(parent.height + 1, "main", parent.chainwork + block_work(h.bits))
        elif h.prev_hash == ZERO_HASH:
            p = Placement(0, "main", block_work(h.bits))
        else:
            return None
        self.tips[h.hash] = p
        return p
