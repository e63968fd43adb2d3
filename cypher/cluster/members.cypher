// @description The addresses of one cluster, in address order, one page at a time, with what
//   each received and sent (satoshi, stale blocks left out). A cluster id that is an address
//   outside every cluster lists that address alone.
// @mode read
// @param cluster_id ADDRESS  the cluster id (its smallest address), as cluster/of_address returns it
// @param skip INTEGER = 0  addresses to skip (paging)
// @param limit INTEGER = 100  addresses to return at most
// @columns address, script_type, received, sent
// @bounds $limit addresses and their outputs
// @example :param cluster_id => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
OPTIONAL MATCH (c:Cluster {id: $cluster_id})
CALL (c) {
  MATCH (m:Address)-[:IN_CLUSTER]->(c)
  RETURN m
  UNION
  WITH c WHERE c IS NULL
  MATCH (m:Address {address: $cluster_id})
  WHERE NOT EXISTS { (m)-[:IN_CLUSTER]->() }
  RETURN m
}
WITH m ORDER BY m.address SKIP $skip LIMIT $limit
CALL (m) {
  OPTIONAL MATCH (m)<-[:LOCKED_TO]-(o:Output)
  OPTIONAL MATCH (o)<-[:CREATES]-(ct:Transaction)
  WITH o, ct WHERE o IS NULL OR ct IS NULL OR NOT coalesce(ct.stale, false)
  CALL (o) {
    OPTIONAL MATCH (o)-[:SPENT_BY]->(st:Transaction)
    WHERE NOT coalesce(st.stale, false)
    RETURN st ORDER BY st.txid LIMIT 1
  }
  RETURN coalesce(sum(o.value), 0) AS received,
         coalesce(sum(CASE WHEN st IS NULL THEN 0 ELSE o.value END), 0) AS sent
}
RETURN m.address AS address, m.script_type AS script_type, received, sent
