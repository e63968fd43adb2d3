// @description The k shortest money paths from one address or cluster to another: each path
//   follows outputs forward, output -> spending transaction -> output, from an output paying
//   `from` to an output paying `to`, one row per path, shortest first: its transactions, the
//   addresses along it and its bottleneck (the smallest output on it: at most that much can
//   have moved along this path). Transactions with more than max_fanout inputs or outputs
//   (exchange batches, consolidations: super nodes) are not traversed.
// @mode read
// @param from STRING  an address, or a cluster id when from_cluster
// @param to STRING  an address, or a cluster id when to_cluster
// @param from_cluster BOOLEAN = false  `from` is a cluster id: start from any of its addresses
//   (a cluster id without a Cluster node is a one-address cluster: that address)
// @param to_cluster BOOLEAN = false  `to` is a cluster id: end at any of its addresses
// @param max_hops INTEGER = 6  transactions on a path at most (1-8)
// @param k INTEGER = 3  paths to return (1-10)
// @param min_value INTEGER = 0  leave out outputs below this value (satoshi)
// @param max_fanout INTEGER = 100  skip transactions with more inputs or outputs than this
// @columns hops, txids, addresses, outputs, bottleneck_value
// @bounds at most 8 hops (a literal: Cypher takes no parameter there; the search itself
//   stops there, max_hops cuts below it) and 10 paths; super nodes skipped; the transaction
//   timeout and memory limit
// @example :param from => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
CALL () {
  MATCH (x:Address {address: $from})
  WHERE NOT $from_cluster OR NOT EXISTS { MATCH (:Cluster {id: $from}) }
  RETURN x AS s
  UNION
  MATCH (x:Cluster {id: $from}) WHERE $from_cluster RETURN x AS s
}
CALL () {
  MATCH (x:Address {address: $to})
  WHERE NOT $to_cluster OR NOT EXISTS { MATCH (:Cluster {id: $to}) }
  RETURN x AS e
  UNION
  MATCH (x:Cluster {id: $to}) WHERE $to_cluster RETURN x AS e
}
MATCH p = SHORTEST 10 (s) (()<-[:IN_CLUSTER|LOCKED_TO]-()){1,2} (first:Output)
  ((:Output)-[:SPENT_BY]->(t:Transaction)-[:CREATES]->(o:Output)
    WHERE o.value >= $min_value AND NOT coalesce(t.stale, false)
      AND t.input_count <= $max_fanout AND t.output_count <= $max_fanout){1,8}
  (last:Output) (()-[:LOCKED_TO|IN_CLUSTER]->()){1,2} (e)
WHERE size(t) <= $max_hops AND first.value >= $min_value
WITH p, first, t, o
ORDER BY size(t), [x IN t | x.txid], first.id
LIMIT $k
RETURN size(t) AS hops, [x IN t | x.txid] AS txids,
       [first.address] + [y IN o | y.address] AS addresses,
       [first.id] + [y IN o | y.id] AS outputs,
       reduce(m = first.value, y IN o | CASE WHEN y.value < m THEN y.value ELSE m END)
         AS bottleneck_value
