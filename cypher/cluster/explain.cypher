// @description Why two addresses are one entity: one row per step of a shortest chain of
//   evidence from address a to address b, each step a transaction and the heuristic (and its
//   version) that linked its two addresses. No rows when they are not in one cluster (or a = b).
// @mode read
// @param a ADDRESS  first address
// @param b ADDRESS  second address
// @columns step, txid, heuristic, version, address_from, address_to
// @bounds only within one cluster; a shortest path of at most 10,000 evidence links (the bound is a literal: Cypher takes no parameter there)
// @example :param a => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
MATCH (a:Address {address: $a}), (b:Address {address: $b})
WHERE a <> b AND EXISTS { (a)-[:IN_CLUSTER]->(:Cluster)<-[:IN_CLUSTER]-(b) }
MATCH p = shortestPath((a)-[:SAME_ENTITY*..10000]-(b))
UNWIND range(0, length(p) - 1) AS i
WITH relationships(p)[i] AS e, nodes(p)[i] AS f, nodes(p)[i + 1] AS t, i
RETURN i + 1 AS step, e.txid AS txid, e.heuristic AS heuristic, e.version AS version,
       f.address AS address_from, t.address AS address_to
ORDER BY step
