// @description One hop of the cluster picture: the value that moved between each given
//   cluster and the other clusters, in exact output values. 'out': a transaction spending an
//   output of cluster X moves its outputs locked to cluster Y (Y <> X) from X to Y; 'in': a
//   transaction creating outputs of X with an input of Y (Y <> X) moves those X outputs from Y
//   to X. `value` sums those outputs, each transaction once per pair, `tx_count` counts the
//   transactions. Nothing is estimated: a transaction with inputs from several clusters (a
//   CoinJoin kept out of clustering) gives each of them the whole value. Transfers within one
//   cluster, stale transactions and outputs or inputs without an address are left out. Only the
//   largest `max_outputs` outputs of each cluster are followed: `cut` says there were more (a
//   cut cluster with no flow among those still returns one row, with a null counterpart).
//   Cypher takes no parameter for a path's length: analysis/exposure.py:cluster_flows repeats
//   this hop from the clusters reached, up to max_hops.
// @mode read
// @param cluster_ids LIST<ADDRESS>  the clusters to expand, by id (an address outside every cluster is its own cluster)
// @param direction STRING = "out"  'out': where their outputs went; 'in': where the value they received came from
// @param max_outputs INTEGER = 10000  outputs of each cluster followed at most, the largest first
// @columns from_cluster, to_cluster, value, tx_count, cut
// @bounds per cluster: its outputs read once (to pick the largest), max_outputs of them followed one transaction away
// @example :param cluster_ids => ['12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S']
UNWIND $cluster_ids AS cid
CALL (cid) {
  OPTIONAL MATCH (c:Cluster {id: cid})
  CALL (c, cid) {
    MATCH (m:Address)-[:IN_CLUSTER]->(c)
    RETURN m
    UNION
    WITH c, cid WHERE c IS NULL
    MATCH (m:Address {address: cid})
    WHERE NOT EXISTS { (m)-[:IN_CLUSTER]->() }
    RETURN m
  }
  CALL (m) {
    WITH m WHERE $direction = 'out'
    MATCH (m)<-[:LOCKED_TO]-(o:Output)-[:SPENT_BY]->(t:Transaction)
    WHERE NOT coalesce(t.stale, false)
    RETURN o, t
    UNION
    WITH m WHERE $direction = 'in'
    MATCH (m)<-[:LOCKED_TO]-(o:Output)<-[:CREATES]-(t:Transaction)
    WHERE NOT coalesce(t.stale, false)
    RETURN o, t
  }
  WITH o, t ORDER BY o.value DESC, o.id LIMIT $max_outputs + 1
  RETURN collect({o: o, t: t}) AS picked
}
WITH cid, size(picked) > $max_outputs AS cut, picked[..$max_outputs] AS picked
CALL (cid, picked) {
  UNWIND picked AS p
  WITH p.t AS t, sum(p.o.value) AS received
  CALL (t, cid, received) {
    WITH t, cid WHERE $direction = 'out'
    MATCH (t)-[:CREATES]->(n:Output)-[:LOCKED_TO]->(a:Address)
    OPTIONAL MATCH (a)-[:IN_CLUSTER]->(k:Cluster)
    WITH coalesce(k.id, a.address) AS other, n.value AS value
    WHERE other <> cid
    RETURN other, sum(value) AS value
    UNION
    WITH t, cid, received WHERE $direction = 'in'
    MATCH (t)<-[:SPENT_BY]-(:Output)-[:LOCKED_TO]->(a:Address)
    OPTIONAL MATCH (a)-[:IN_CLUSTER]->(k:Cluster)
    WITH DISTINCT coalesce(k.id, a.address) AS other, received
    WHERE other <> cid
    RETURN other, received AS value
  }
  WITH other, sum(value) AS value, count(t) AS tx_count
  ORDER BY other
  RETURN collect({other: other, value: value, tx_count: tx_count}) AS flows
}
UNWIND CASE WHEN size(flows) = 0 AND cut THEN [null] ELSE flows END AS f
RETURN CASE $direction WHEN 'in' THEN f.other ELSE cid END AS from_cluster,
       CASE $direction WHEN 'in' THEN cid ELSE f.other END AS to_cluster,
       coalesce(f.value, 0) AS value, coalesce(f.tx_count, 0) AS tx_count, cut
