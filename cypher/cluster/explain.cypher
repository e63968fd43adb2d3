// @description Why two addresses are one entity: one row per step of a shortest chain of
//   evidence from address a to address b. Each step is a transaction that linked its two
//   addresses: both spent in it (`multi_input`), or one of them received its change output
//   as a chosen change heuristic picked it (that heuristic, from the output's CHANGE_OF
//   link). No rows when they are not in one cluster (or a = b).
//   The search runs over outputs, not only addresses: a change output spent later beside
//   another address's coin (a peel chain) links the two transactions through itself, and
//   Cypher never uses one relationship twice in a path, so a chain that went back through
//   the change's address (its one LOCKED_TO, twice) would not be found. Every output next
//   to a linking transaction on these relationships is one it linked: its inputs (all of
//   them: a CoinJoin the filter skipped has no `link_heuristics`) and its chosen change.
// @mode read
// @param a ADDRESS  first address
// @param b ADDRESS  second address
// @columns step, txid, heuristic, version, address_from, address_to
// @bounds only within one cluster: every step goes through a transaction that linked addresses of the cluster (`link_heuristics` set); at most 40,000 relationships, 10,000 steps (the bound is a literal: Cypher takes no parameter there)
// @example :param a => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
MATCH (a:Address {address: $a}), (b:Address {address: $b})
WHERE a <> b AND EXISTS { (a)-[:IN_CLUSTER]->(:Cluster)<-[:IN_CLUSTER]-(b) }
MATCH p = SHORTEST 1 (a)
  (()-[:LOCKED_TO|SPENT_BY|CHANGE_OF]-(n WHERE n:Output OR n:Address OR
                                          (n:Transaction AND n.link_heuristics IS NOT NULL))
  ){1,40000}
  (b)
WITH nodes(p) AS ns, relationships(p) AS rs
WITH ns, rs, [i IN range(1, size(ns) - 2) WHERE ns[i]:Transaction] AS at
UNWIND range(0, size(at) - 1) AS k
WITH k, ns[at[k]] AS tx, ns[at[k] - 1] AS before, ns[at[k] + 1] AS after,
     CASE WHEN rs[at[k] - 1]:CHANGE_OF THEN rs[at[k] - 1]
          WHEN rs[at[k]]:CHANGE_OF THEN rs[at[k]] END AS change
MATCH (before)-[:LOCKED_TO]->(f:Address)
MATCH (after)-[:LOCKED_TO]->(to:Address)
RETURN k + 1 AS step, tx.txid AS txid, coalesce(change.heuristic, tx.link_heuristics[0]) AS heuristic,
       coalesce(change.version, tx.link_versions[0]) AS version,
       f.address AS address_from, to.address AS address_to
ORDER BY step
