// @description The biggest clusters, largest first, with the transaction that linked the most
//   addresses into each (and how many): a super-cluster guard, so an analyst can spot a wrong
//   merge (a missed CoinJoin, an exchange's batch) and check it with cluster/explain.
// @mode read
// @param limit INTEGER = 10  clusters to return
// @columns cluster_id, size, top_merge_txid, top_merge_addresses
// @bounds $limit clusters; a scan of Cluster nodes
MATCH (c:Cluster)
RETURN c.id AS cluster_id, c.size AS size, c.top_merge_txid AS top_merge_txid,
       c.top_merge_addresses AS top_merge_addresses
ORDER BY size DESC, cluster_id
LIMIT $limit
