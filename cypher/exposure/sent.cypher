// @description Where a sent-exposure walk starts: the outputs a target spent (the spending
//   transaction not stale, nor the creating one; as `sent` in cluster/of_address), their count
//   and total value, and the largest `limit` of them. The target is one address (`address`), or
//   a cluster (`cluster_id`: its members; an id that is an address outside every cluster is that
//   address alone). No row when the target is not loaded.
// @mode read
// @param address STRING = null  the target address (give this or cluster_id)
// @param cluster_id STRING = null  the target cluster's id (its smallest address)
// @param limit INTEGER = 10000  outputs listed at most, the largest first
// @columns output_count, value, outputs
// @bounds the target's addresses and their outputs, each read once for the totals and once for the top `limit`
// @example :param address => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
OPTIONAL MATCH (c:Cluster {id: $cluster_id})
CALL (c) {
  MATCH (m:Address)-[:IN_CLUSTER]->(c)
  RETURN m
  UNION
  WITH c WHERE c IS NULL
  MATCH (m:Address {address: coalesce($address, $cluster_id)})
  WHERE $address IS NOT NULL OR NOT EXISTS { (m)-[:IN_CLUSTER]->() }
  RETURN m
}
WITH collect(m) AS members
WHERE size(members) > 0
CALL (members) {
  UNWIND members AS m
  MATCH (m)<-[:LOCKED_TO]-(o:Output)
  WHERE EXISTS { (o)-[:SPENT_BY]->(s:Transaction) WHERE NOT coalesce(s.stale, false) }
    AND NOT EXISTS { (o)<-[:CREATES]-(t:Transaction) WHERE t.stale }
  RETURN count(o) AS output_count, coalesce(sum(o.value), 0) AS value
}
CALL (members) {
  UNWIND members AS m
  MATCH (m)<-[:LOCKED_TO]-(o:Output)
  WHERE EXISTS { (o)-[:SPENT_BY]->(s:Transaction) WHERE NOT coalesce(s.stale, false) }
    AND NOT EXISTS { (o)<-[:CREATES]-(t:Transaction) WHERE t.stale }
  WITH o ORDER BY o.value DESC, o.id LIMIT $limit
  RETURN collect({output: o.id, value: o.value}) AS outputs
}
RETURN output_count, value, outputs
