// @description Clustering at a glance: clusters (one-address clusters included: an address that
//   spent but was never linked to another), addresses in them, the largest size, how many are
//   one-address clusters, and the configuration that produced them.
// @mode read
// @columns clusters, clustered_addresses, largest, singletons, config
// @bounds every Cluster node and every Address (a scan; stopped by the transaction timeout)
CALL () {
  OPTIONAL MATCH (c:Cluster)
  RETURN count(c) AS linked, coalesce(sum(c.size), 0) AS linked_addresses,
         coalesce(max(c.size), 0) AS largest_linked
}
CALL () {
  MATCH (a:Address)
  WHERE NOT EXISTS { (a)-[:IN_CLUSTER]->() }
    AND EXISTS { (a)<-[:LOCKED_TO]-(:Output)-[:SPENT_BY]->(:Transaction) }
  RETURN count(a) AS singletons
}
OPTIONAL MATCH (cfg:ClusteringConfig {key: 'bitcoin'})
RETURN linked + singletons AS clusters, linked_addresses + singletons AS clustered_addresses,
       CASE WHEN largest_linked = 0 AND singletons > 0 THEN 1 ELSE largest_linked END AS largest,
       singletons,
       CASE WHEN cfg IS NULL THEN null ELSE {coinjoin_filter: cfg.coinjoin_filter,
         change_heuristics: cfg.change_heuristics, heuristics: cfg.heuristics} END AS config
