// @description Why two addresses are one entity: one row per step of a shortest chain of
//   evidence from address a to address b. Each step is a transaction that linked its two
//   addresses: both spent in it (`multi_input`), or one of them received its change output
//   as a chosen change heuristic picked it (that heuristic, from the output's CHANGE_OF
//   link). No rows when they are not in one cluster (or a = b).
// @mode read
// @param a ADDRESS  first address
// @param b ADDRESS  second address
// @columns step, txid, heuristic, version, address_from, address_to
// @bounds only within one cluster: every step goes through a transaction that linked addresses of the cluster (`link_heuristics` set); at most 10,000 steps (the bound is a literal: Cypher takes no parameter there)
// @example :param a => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
MATCH (a:Address {address: $a}), (b:Address {address: $b})
WHERE a <> b AND EXISTS { (a)-[:IN_CLUSTER]->(:Cluster)<-[:IN_CLUSTER]-(b) }
MATCH SHORTEST 1 (a)
  ((x:Address)<-[:LOCKED_TO]-(:Output)-[r1:SPENT_BY|CHANGE_OF]->
   (t:Transaction WHERE t.link_heuristics IS NOT NULL)
   <-[r2:SPENT_BY|CHANGE_OF]-(:Output)-[:LOCKED_TO]->(y:Address)){1,10000}
  (b)
UNWIND range(0, size(t) - 1) AS i
WITH i, t[i] AS tx, x[i] AS f, y[i] AS to,
     CASE WHEN r2[i]:CHANGE_OF THEN r2[i] WHEN r1[i]:CHANGE_OF THEN r1[i] END AS change
RETURN i + 1 AS step, tx.txid AS txid, coalesce(change.heuristic, tx.link_heuristics[0]) AS heuristic,
       coalesce(change.version, tx.link_versions[0]) AS version,
       f.address AS address_from, to.address AS address_to
ORDER BY step
