"""Benchmark: address clustering on a generated chain (at least 200,000 transactions).

Prints
- the load without clustering (`load bitcoin --no-cluster`) and with it (the default,
  incremental): the extra time clustering adds, as seconds and as a share of the load;
- a full rebuild (`chaintrail cluster --rebuild`): seconds and clustered addresses/s;
- the reference: the same partition computed by an in-memory union-find in Python over the
  co-spend groups read from the same Neo4j (the read is included: the reference needs its input
  too), and the ratio rebuild / reference. The two partitions are compared; a difference stops
  the benchmark.

    .venv/bin/python bench/cluster.py [--txs 200000] [--seed 1] [--workdir DIR]

Targets (issue 3): rebuild within 10x of the reference; incremental clustering adds under 30%
to the load. Record the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.common` importable
    sys.path.insert(0, str(ROOT))

from bench.common import CLI, bench_instance, chain_parser, machine, run_measured  # noqa: E402
from db.driver import open_driver  # noqa: E402

CO_SPENDS = (
    "MATCH (t:Transaction) WHERE NOT t.is_coinbase AND t.coinjoin_kind IS NULL "
    "MATCH (o:Output)-[:SPENT_BY]->(t) WHERE o.address IS NOT NULL "
    "RETURN t.txid AS txid, collect(DISTINCT o.address) AS addresses"
)
"""The reference's input: bench code, not a stored query, on purpose: it must not share the
code it checks. The CoinJoin kinds come from the rebuild (filter on, the default)."""

CLUSTERS = ("MATCH (a:Address)-[:IN_CLUSTER]->(c:Cluster) "
            "RETURN c.id AS id, collect(a.address) AS members")


def union_find(groups: list[list[str]]) -> dict[str, str]:
    """address -> root, union by size with path halving."""
    parent: dict[str, str] = {}
    size: dict[str, int] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for g in groups:
        for a in g:
            if a not in parent:
                parent[a] = a
                size[a] = 1
        r = find(g[0])
        for a in g[1:]:
            s = find(a)
            if s != r:
                if size[r] < size[s]:
                    r, s = s, r
                parent[s] = r
                size[r] += size[s]
    return {a: find(a) for a in parent}


def main() -> None:
    args = chain_parser(__doc__.splitlines()[0], 200_000).parse_args()
    with bench_instance(args) as bench:
        chain_dir, settings, env = bench.chain_dir, bench.settings, bench.env
        truth = json.loads((chain_dir / "truth.json").read_text())
        reset = [str(CLI), "db", "reset", "--yes"]
        run_measured(reset, env)
        plain_s, _, out = run_measured(
            [str(CLI), "load", "bitcoin", "--no-cluster", str(chain_dir)], env)
        plain = json.loads(out)
        run_measured(reset, env)
        with_s, with_rss, out = run_measured([str(CLI), "load", "bitcoin", str(chain_dir)], env)
        loaded = json.loads(out)
        rebuild_s, rebuild_rss, out = run_measured([str(CLI), "cluster", "--rebuild"], env)
        rebuild = json.loads(out)

        driver = open_driver(settings)
        try:
            with driver.session(database=settings.neo4j_database) as s:
                t0 = time.monotonic()
                groups = [r["addresses"] for r in s.run(CO_SPENDS)]
                read_s = time.monotonic() - t0
                t1 = time.monotonic()
                roots = union_find(groups)
                uf_s = time.monotonic() - t1
                stored = {frozenset(r["members"]) for r in s.run(CLUSTERS)}
                stats = s.run("MATCH (c:Cluster) RETURN count(c) AS n, sum(c.size) AS a, "
                              "max(c.size) AS largest").single(strict=True)
        finally:
            driver.close()

    owner = {a: eid for eid, e in truth["entities"].items() for a in e["addresses"]}
    members: dict[str, set[str]] = {}
    for a, r in roots.items():
        members.setdefault(r, set()).add(a)
    reference = {frozenset(m) for m in members.values() if len(m) > 1}
    if reference != stored:
        raise SystemExit(f"partitions differ: {len(reference)} reference clusters, "
                         f"{len(stored)} stored")
    ref_s = read_s + uf_s
    extra = with_s - plain_s
    print(f"machine: {machine()}")
    print(f"chain: {plain['txs']} txs, {plain['inputs']} inputs (seed {args.seed}); "
          f"{len(roots)} spending addresses, {stats['n']} clusters of 2+ holding "
          f"{stats['a']} addresses, largest {stats['largest']}")
    print(f"load without clustering: {plain_s:.1f} s ({plain['txs'] / plain_s:,.0f} tx/s)")
    print(f"load with incremental clustering: {with_s:.1f} s ({loaded['txs'] / with_s:,.0f} "
          f"tx/s; clustering step {loaded['cluster_seconds']:.1f} s), peak RSS "
          f"{with_rss / 2**20:.0f} MB")
    print(f"clustering adds {extra:.1f} s = {100 * extra / plain_s:.0f}% to the load "
          "(target < 30%)")
    print(f"rebuild: {rebuild_s:.1f} s for {rebuild['txs']} txs, "
          f"{len(roots) / rebuild_s:,.0f} addresses/s, peak RSS {rebuild_rss / 2**20:.0f} MB")
    print(f"reference (read {read_s:.1f} s + in-memory union-find {uf_s:.2f} s): {ref_s:.1f} s; "
          f"same partition: yes")
    print(f"ratio rebuild / reference: {rebuild_s / ref_s:.1f}x (target <= 10x)")
    # against the generator's truth, over the spending addresses (singletons included)
    covered = set().union(*stored) if stored else set()
    part = stored | {frozenset({a}) for a in set(roots) - covered}
    both = sum(comb(n, 2) for c in part for n in Counter(owner[a] for a in c).values())
    predicted = sum(comb(len(c), 2) for c in part)
    true = sum(comb(n, 2) for n in Counter(owner[a] for a in roots).values())
    print(f"against truth.json (filter on): pairwise precision {both / predicted:.4f}, "
          f"recall {both / true:.4f}")


if __name__ == "__main__":
    main()
