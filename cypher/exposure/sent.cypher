// @description Where a sent-exposure walk starts: the outputs a target spent (the spending
//   transaction not stale, nor the creating one; as `sent` in cluster/of_address), their count
//   and total value, and the largest `limit` of them. The target is one address (`address`), or
//   a cluster (`cluster_id`: its members; an id that is an address outside every cluster is that
//   address alone). No row when the target is not loaded.
//   Ethereum (chain 'ethereum'): the target is an account (`address`; there are no clusters);
//   its transfers out of `asset` within the window, fees left out (genesis, rewards and
//   withdrawals count as received, from the zero address). `value` is null and `value_limbs`
//   the per-position sums of their limbs (exact in Python); `outputs` are the largest `limit`
//   transfers, each with its counterparty (`address`, `cluster_id`: the account) and seq.
// @mode read
// @param address ADDRESS = null  the target address (give this or cluster_id)
// @param cluster_id ADDRESS = null  the target cluster's id (its smallest address)
// @param limit INTEGER = 10000  outputs listed at most, the largest first
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param asset STRING = "ETH"  Ethereum: 'ETH' or a token contract address
// @param min_seq INTEGER = null  Ethereum: transfers at or after this seq (block * 100000 + tx index)
// @param max_seq INTEGER = null  Ethereum: transfers at or before this seq
// @param since INTEGER = null  Ethereum: transfers at or after this time (unix seconds)
// @param until INTEGER = null  Ethereum: transfers at or before this time (unix seconds)
// @columns output_count, value, outputs, value_limbs
// @bounds the target's addresses and their outputs, each read once for the totals and once for the top `limit`; Ethereum: the account's transfers, read twice
// @example :param address => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
OPTIONAL MATCH (c:Cluster {id: $cluster_id})
WITH c WHERE $chain = 'bitcoin'
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
RETURN output_count, value, outputs, null AS value_limbs
UNION ALL
MATCH (m:Account {address: $address})
WHERE $chain = 'ethereum' AND EXISTS { (m)-[:TRANSFER]-() }  // not one known from a tag only
CALL (m) {
  OPTIONAL MATCH (m)-[t:TRANSFER]->(c:Account)
  WHERE t.asset = $asset
    AND ($min_seq IS NULL OR t.seq >= $min_seq) AND ($max_seq IS NULL OR t.seq <= $max_seq)
    AND ($since IS NULL OR t.time >= $since) AND ($until IS NULL OR t.time <= $until)
  RETURN count(t) AS output_count,
         [sum(t.limbs[0]), sum(t.limbs[1]), sum(t.limbs[2]), sum(t.limbs[3]), sum(t.limbs[4]),
          sum(t.limbs[5]), sum(t.limbs[6]), sum(t.limbs[7]), sum(t.limbs[8])] AS value_limbs
}
CALL (m) {
  OPTIONAL MATCH (m)-[t:TRANSFER]->(c:Account)
  WHERE t.asset = $asset
    AND ($min_seq IS NULL OR t.seq >= $min_seq) AND ($max_seq IS NULL OR t.seq <= $max_seq)
    AND ($since IS NULL OR t.time >= $since) AND ($until IS NULL OR t.time <= $until)
  WITH t, c ORDER BY t.value_key DESC, t.id LIMIT $limit
  RETURN collect(CASE WHEN t IS NOT NULL THEN {output: t.id, value: t.value, address: c.address,
                  cluster_id: c.address, seq: t.seq} END) AS outputs
}
RETURN output_count, null AS value, outputs, value_limbs
