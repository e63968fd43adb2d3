"""An independent union-find over what the graph holds, for checking the Cypher clustering.

Written for the tests from the definition (all input addresses of a non-coinbase transaction
are one entity), sharing no code with analysis.clustering.
"""

from __future__ import annotations

from collections.abc import Iterable

from cypher.runner import Graph

Partition = set[frozenset[str]]


def co_spends(graph: Graph) -> dict[str, tuple[set[str], str | None]]:
    """txid -> (distinct input addresses, CoinJoin kind) for every non-coinbase transaction."""
    with graph.driver.session(database=graph.database) as s:
        rows = s.run(
            "MATCH (t:Transaction) WHERE NOT t.is_coinbase "
            "OPTIONAL MATCH (o:Output)-[:SPENT_BY]->(t) "
            "RETURN t.txid AS txid, t.coinjoin_kind AS kind, "
            "[a IN collect(DISTINCT o.address) WHERE a IS NOT NULL] AS addresses"
        ).data()
    return {r["txid"]: (set(r["addresses"]), r["kind"]) for r in rows}


def union_find(groups: Iterable[Iterable[str]]) -> Partition:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # full path compression
            parent[x], x = root, parent[x]
        return root

    for group in groups:
        members = list(group)
        for m in members:
            parent.setdefault(m, m)
        for m in members[1:]:
            ra, rb = find(members[0]), find(m)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    out: dict[str, set[str]] = {}
    for x in parent:
        out.setdefault(find(x), set()).add(x)
    return {frozenset(v) for v in out.values()}


def expected(graph: Graph, *, skip_coinjoins: bool) -> Partition:
    spends = co_spends(graph).values()
    groups = [addrs for addrs, kind in spends if not (skip_coinjoins and kind is not None)]
    every = set().union(*(a for a, _ in spends))
    part = union_find(groups)
    covered = set().union(*part) if part else set()
    return part | {frozenset({a}) for a in every - covered}


def clustered(graph: Graph) -> tuple[Partition, dict[str, str]]:
    """The partition the graph stores (one-address clusters included: every spending address
    outside a Cluster) and each cluster's id by its smallest member."""
    with graph.driver.session(database=graph.database) as s:
        rows = s.run("MATCH (a:Address)-[:IN_CLUSTER]->(c:Cluster) "
                     "RETURN c.id AS id, collect(a.address) AS members").data()
        alone = s.run(
            "MATCH (a:Address) WHERE NOT EXISTS { (a)-[:IN_CLUSTER]->() } "
            "AND EXISTS { (a)<-[:LOCKED_TO]-(:Output)-[:SPENT_BY]->(:Transaction) } "
            "RETURN a.address AS a").data()
    part = {frozenset(r["members"]) for r in rows} | {frozenset({r["a"]}) for r in alone}
    ids = {min(r["members"]): r["id"] for r in rows}
    return part, ids


def sizes(part: Partition) -> list[int]:
    return sorted((len(c) for c in part), reverse=True)
