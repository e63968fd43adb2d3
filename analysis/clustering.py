"""Address clustering: multi-input (common-input-ownership), CoinJoin-aware, with evidence.

How it runs. Every newly written transaction is labelled `:Unclustered`. `Clusterer.run`
takes them a chunk at a time, in one write transaction per chunk:

1. `cluster/pending` reads each transaction's inputs and outputs with the current cluster of
   every address involved;
2. `plan` (pure Python, below) applies the heuristics and a union-find over the chunk, seeded
   with the clusters read, and says which clusters merge (the smaller joins the larger, so an
   address moves O(log n) times over any load order), which new addresses join, and what
   evidence each transaction records;
3. `cluster/absorb`, `cluster/grow`, `cluster/annotate` and `cluster/link` write that, and the
   transactions leave `:Unclustered`.

The union-find per chunk is Python because Cypher has no union-find and a row-by-row merge in
one UNWIND would depend on the planner's row order; the reading and every write are the stored
queries, so what changed in the graph is exactly what those files say.

Why the result does not depend on load order: the partition is the connected components of
"co-spent" over all transactions, whatever order they are processed in, and a cluster's id is
its smallest address, so it depends on content only. A full rebuild (`rebuild`) clears clusters
and evidence, labels every transaction again and runs the same code.

Evidence is the transaction itself. A transaction whose addresses were linked records the
heuristics that linked them and their versions (`link_heuristics`, `link_versions`, multi-input
first); a change output that a chosen change heuristic linked gets a `CHANGE_OF {heuristic,
version}` relationship to its transaction. Every input address of a linked transaction and
every such change address are then one entity by that transaction, and `cluster/explain`
finds a shortest chain of such transactions. An earlier model wrote k-1 `SAME_ENTITY`
relationships per transaction (a txid string on each); they were a fifth of the clustering
time and said nothing the transaction does not (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from analysis.heuristics import change, coinjoin
from analysis.heuristics.views import InputView, OutputView, TxView
from chaintrail.errors import ConfigError
from cypher.runner import Graph

log = logging.getLogger(__name__)

MULTI_INPUT = "multi_input"
MULTI_INPUT_VERSION = 1
"""Common-input-ownership: every input address of a non-coinbase transaction is one entity."""

CHUNK_TXS = 5_000
"""Transactions per clustering transaction: large enough to amortise the round trips, small
enough to stay far below the transaction memory limit."""

DEFAULT_WARN_SIZE = 1_000


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """What clustering uses; stored with the result (`cluster/save_config`)."""

    coinjoin_filter: bool = True
    change_heuristics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        change.parse_names(self.change_heuristics)  # unknown names fail here

    @property
    def heuristics(self) -> list[str]:
        """Every rule in use, as 'name@version' (the CoinJoin rules annotate even when off)."""
        rules = [f"{MULTI_INPUT}@{MULTI_INPUT_VERSION}"]
        rules += [f"coinjoin.{r.name}@{r.version}" for r in coinjoin.RULES]
        rules += [f"change.{h.name}@{h.version}" for h in change.HEURISTICS.values()]
        return rules

    def params(self) -> dict[str, Any]:
        return {
            "coinjoin_filter": self.coinjoin_filter,
            "change_heuristics": list(self.change_heuristics),
            "heuristics": self.heuristics,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ClusterConfig:
        return cls(
            coinjoin_filter=bool(row["coinjoin_filter"]),
            change_heuristics=tuple(row["change_heuristics"] or ()),
        )


# -- the pure part ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    id: str
    size: int
    top_txid: str | None
    top_n: int


@dataclass(slots=True)
class Pending:
    """One transaction as `cluster/pending` returns it."""

    view: TxView
    clusters: dict[str, ClusterInfo]  # address -> its cluster, for addresses in one
    seen: bool = False  # clustered before: its old links and annotations are replaced
    height: int | None = None  # its block's: a chunk is planned in chain order
    position: int | None = None  # its index in that block (read when a chunk warns)
    node_id: int | None = None  # the Transaction's internal id, valid in the reading transaction
    address_ids: dict[str, int] = field(default_factory=dict)  # address -> its internal id


def pending_from_row(row: Mapping[str, Any]) -> Pending:
    """One `cluster/pending` row; its inputs and outputs are positional lists (see the query's
    header for the positions)."""
    clusters: dict[str, ClusterInfo] = {}
    address_ids: dict[str, int] = {}
    inputs: list[InputView] = []
    for address, address_id, value, script_type, cluster, size, top_txid, top_n in filter(
            None, row["inputs"]):
        inputs.append(InputView(address, value, script_type))
        if address is not None:
            address_ids[address] = address_id
            if cluster is not None:
                clusters[address] = ClusterInfo(cluster, size, top_txid, top_n or 0)
    outputs: list[OutputView] = []
    for (n, value, script_type, address, address_id, address_outputs,
         cluster, size, top_txid, top_n) in filter(None, row["outputs"]):
        outputs.append(OutputView(n, value if value is not None else 0,
                                  script_type or "nonstandard", address, address_outputs))
        if address is not None:
            address_ids[address] = address_id
            if cluster is not None:
                clusters[address] = ClusterInfo(cluster, size, top_txid, top_n or 0)
    outputs.sort(key=lambda o: o.n)  # in output order: some CoinJoin rules look at the order
    return Pending(TxView(row["txid"], tuple(inputs), tuple(outputs)), clusters,
                   bool(row.get("seen")), row.get("height"), None, row["id"], address_ids)


@dataclass(slots=True)
class Plan:
    """The writes for one chunk: the parameters of cluster/unlink, absorb, grow, annotate, link
    and done, in that order."""

    unlink: list[str] = field(default_factory=list)  # clustered before: change links replaced
    absorb: list[dict[str, Any]] = field(default_factory=list)
    grow: list[dict[str, Any]] = field(default_factory=list)
    annotate: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)  # change outputs linked
    done: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    merges: int = 0
    skipped_coinjoins: int = 0


class _UnionFind:
    """Union by size with path halving, over string keys with an initial weight each."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.weight: dict[str, int] = {}

    def add(self, key: str, weight: int) -> None:
        if key not in self.parent:
            self.parent[key] = key
            self.weight[key] = weight

    def find(self, key: str) -> str:
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.weight[ra] < self.weight[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.weight[ra] += self.weight[rb]
        return ra


def _better_top(a: tuple[int, str] | None, b: tuple[int, str] | None) -> tuple[int, str] | None:
    """The larger merge wins; on a tie the smaller txid, so the answer ignores order."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b, key=lambda t: (-t[0], t[1]))


def plan(pending: Sequence[Pending], config: ClusterConfig,
         warn_size: int = DEFAULT_WARN_SIZE) -> Plan:
    """Heuristics and union-find over one chunk of transactions, seeded with their clusters."""
    out = Plan()
    uf = _UnionFind()
    infos: dict[str, ClusterInfo] = {}
    tops: dict[str, tuple[int, str] | None] = {}  # union-find root -> best merge in it

    def node(address: str, clusters: Mapping[str, ClusterInfo]) -> str:
        info = clusters.get(address)
        if info is None:
            key = "A" + address
            uf.add(key, 1)
            return key
        key = "C" + info.id
        if key not in uf.parent:
            uf.add(key, info.size)
            infos[info.id] = info
            tops[key] = (info.top_n, info.top_txid) if info.top_txid else None
        return key

    # In chain order (height, then place in the block): the partition does not depend on
    # it, but the warning about a transaction that merges two large clusters should name the
    # one that did so in the chain, not whichever came first by txid.
    for p in sorted(pending, key=lambda p: (p.height is None, p.height or 0,
                                            p.position is None, p.position or 0, p.view.txid)):
        tx = p.view
        match = coinjoin.detect(tx)
        tags = change.annotate(tx)
        skipped = match is not None and config.coinjoin_filter
        group = tx.input_addresses
        link_names: list[str] = []
        link_versions: list[int] = []
        if not skipped and group:
            linked = set(group)
            if len(linked) >= 2:
                link_names.append(MULTI_INPUT)
                link_versions.append(MULTI_INPUT_VERSION)
            by_n = {o.n: o for o in tx.outputs}
            for name in config.change_heuristics:
                h = change.HEURISTICS[name]
                n = h.find(tx)
                target = by_n[n].address if n is not None and n in by_n else None
                if target is not None and target not in linked:
                    linked.add(target)
                    link_names.append(h.name)
                    link_versions.append(h.version)
                    out.links.append({"txid": tx.txid, "n": n, "heuristic": h.name,
                                      "version": h.version})
            if len(linked) >= 2:
                keys = [node(a, p.clusters) for a in sorted(linked)]
                roots = {uf.find(k) for k in keys}
                big = sorted(r for r in roots if uf.weight[r] > warn_size)
                if len(big) >= 2:
                    msg = (f"transaction {tx.txid} merges {len(big)} clusters each above "
                           f"{warn_size} addresses (sizes "
                           f"{', '.join(str(uf.weight[r]) for r in big)}); check it with "
                           "cluster/largest and cluster/explain")
                    out.warnings.append(msg)
                top: tuple[int, str] | None = (len(linked), tx.txid)
                for r in roots:
                    top = _better_top(top, tops.pop(r, None))
                root = keys[0]
                for k in keys[1:]:
                    root = uf.union(root, k)
                tops[uf.find(root)] = top
                out.merges += len(roots) - 1
        if skipped:
            out.skipped_coinjoins += 1
        if p.seen:
            out.unlink.append(tx.txid)
        out.done.append(tx.txid)
        if match is not None or tags or link_names or p.seen:
            pairs = sorted((n, t) for n, ts in tags.items() for t in ts)
            out.annotate.append({
                "txid": tx.txid,
                "kind": match.kind if match else None,
                "version": match.version if match else None,
                "confidence": match.confidence if match else None,
                "skipped": skipped or None,  # absent means false: no write per transaction
                # absent means none, as a first clustering without them leaves it
                "change_heuristics": [t for _, t in pairs] or None,
                "change_outputs": [n for n, _ in pairs] or None,
                "link_heuristics": link_names or None,
                "link_versions": link_versions or None,
            })

    components: dict[str, list[str]] = {}
    for key in uf.parent:
        components.setdefault(uf.find(key), []).append(key)
    for root, keys in sorted(components.items()):
        existing = [infos[k[1:]] for k in keys if k[0] == "C"]
        new = sorted(k[1:] for k in keys if k[0] == "A")
        if not existing and len(new) < 2:
            continue
        top = tops.get(root)
        if len(existing) == 1 and not new:
            only = existing[0]
            if top == ((only.top_n, only.top_txid) if only.top_txid else None):
                continue
        existing.sort(key=lambda c: (-c.size, c.id))
        keep = existing[0] if existing else None
        ids = [c.id for c in existing] + new
        if keep is not None and len(existing) > 1:
            out.absorb.append({"keep": keep.id, "absorb": [c.id for c in existing[1:]]})
        out.grow.append({
            "keep": keep.id if keep else None,
            "id": min(ids),
            "size": sum(c.size for c in existing) + len(new),
            "add": new,
            "top_txid": top[1] if top else None,
            "top_n": top[0] if top else 0,
        })
    return out


# -- running it against the graph -------------------------------------------------------------


@dataclass(slots=True)
class ClusterSummary:
    txs: int = 0
    merges: int = 0
    skipped_coinjoins: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"txs": self.txs, "merges": self.merges,
                "skipped_coinjoins": self.skipped_coinjoins, "warnings": len(self.warnings)}


def stored_config(graph: Graph) -> ClusterConfig | None:
    rows = graph.read("cluster/config")
    return ClusterConfig.from_row(rows[0]) if rows else None


def resolve_config(graph: Graph, requested: ClusterConfig | None) -> ClusterConfig:
    """The configuration a load clusters with: the stored one, or the request on a fresh graph.

    A different request on a clustered graph is refused: mixing configurations would leave
    clusters no single configuration explains. `chaintrail cluster --rebuild` changes it.
    """
    stored = stored_config(graph)
    if stored is None:
        config = requested or ClusterConfig()
        graph.write(lambda tx: graph.run_write(tx, "cluster/save_config", config.params()),
                    "save clustering configuration")
        return config
    if requested is not None and requested != stored:
        raise ConfigError(
            f"the graph is clustered with coinjoin_filter={stored.coinjoin_filter}, "
            f"change_heuristics={list(stored.change_heuristics)}; to use "
            f"coinjoin_filter={requested.coinjoin_filter}, "
            f"change_heuristics={list(requested.change_heuristics)} run "
            "`chaintrail cluster --rebuild` with those options"
        )
    return stored


@dataclass(frozen=True, slots=True)
class NodeIds:
    """The internal node ids `cluster/pending` read for a chunk, valid in the same transaction:
    cluster/grow, annotate, link and done find the nodes by them without a unique-index seek
    each."""

    txs: dict[str, int]  # txid -> its Transaction
    addresses: dict[str, int]  # address -> its Address

    @classmethod
    def of(cls, pending: Sequence[Pending]) -> NodeIds:
        addresses: dict[str, int] = {}
        for q in pending:
            addresses.update(q.address_ids)
        return cls({q.view.txid: q.node_id for q in pending if q.node_id is not None},
                   addresses)

    def rows(self, name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A plan's rows (addresses and txids, as `plan` says them) as query `name` takes
        them."""
        if name == "cluster/absorb":
            return rows
        if name == "cluster/grow":
            ids = self.addresses
            return [{**r, "add": [ids[a] for a in r["add"]]} for r in rows]
        return [{**{k: v for k, v in r.items() if k != "txid"}, "id": self.txs[r["txid"]]}
                for r in rows]  # annotate, link


class Clusterer:
    """Clusters the `:Unclustered` transactions, chunk by chunk (see the module docstring)."""

    def __init__(self, graph: Graph, config: ClusterConfig, *,
                 warn_size: int = DEFAULT_WARN_SIZE, chunk_txs: int = CHUNK_TXS) -> None:
        self.graph = graph
        self.config = config
        self.warn_size = warn_size
        self.chunk_txs = chunk_txs

    def run(self, progress: Any = None) -> ClusterSummary:
        """Process every pending transaction; `progress.advance(0, n)` is called per chunk."""
        summary = ClusterSummary()
        while True:
            done, p = self.graph.write(self._chunk, "clustering")
            if done == 0:
                return summary
            # Counted after the commit: the driver may run `_chunk` again on a transient error.
            summary.txs += done
            summary.merges += p.merges
            summary.skipped_coinjoins += p.skipped_coinjoins
            summary.warnings += p.warnings
            for w in p.warnings:
                log.warning("%s", w)
            if progress is not None:
                progress.advance(0, done)

    def _chunk(self, tx: ManagedTransaction) -> tuple[int, Plan]:
        rows = self.graph.run_read(tx, "cluster/pending", {
            "limit": self.chunk_txs,
            "output_clusters": bool(self.config.change_heuristics),
        })
        if not rows:
            return 0, Plan()
        pending = [pending_from_row(r) for r in rows]
        p = plan(pending, self.config, self.warn_size)
        g = self.graph
        ids = NodeIds.of(pending)
        if p.warnings:  # rare: plan again in block order, so the warning names the right one
            where = {r["id"]: r["position"] for r in g.run_read(
                tx, "cluster/positions", {"ids": list(ids.txs.values())})}
            for q in pending:
                q.position = where.get(q.node_id)
            p = plan(pending, self.config, self.warn_size)
        if p.unlink:
            g.run_write(tx, "cluster/unlink", {"ids": [ids.txs[t] for t in p.unlink]})
        for name, batch in (("cluster/absorb", p.absorb), ("cluster/grow", p.grow),
                            ("cluster/annotate", p.annotate), ("cluster/link", p.links)):
            if batch:
                g.run_write(tx, name, {"rows": ids.rows(name, batch)})
        g.run_write(tx, "cluster/done", {"ids": [ids.txs[t] for t in p.done]})
        return len(rows), p

    def rebuild(self, progress: Any = None) -> ClusterSummary:
        """Clear clusters and evidence, store the configuration, cluster every transaction.

        Each step is idempotent and the work left is the `:Unclustered` label, so an interrupted
        rebuild finishes on the next `chaintrail cluster` (or the next load).
        """
        self.graph.write(lambda tx: self.graph.run_write(
            tx, "cluster/save_config", self.config.params()), "save clustering configuration")
        for name in ("cluster/reset_clusters", "cluster/reset_links", "cluster/mark_all"):
            self.graph.autocommit(name)
        return self.run(progress)
