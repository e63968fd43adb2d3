// @description The cluster (entity) an address belongs to: its id (the cluster's smallest
//   address; an address never linked to another is its own one-address cluster), size, what
//   its addresses received and sent (satoshi, stale blocks left out; transfers between its own
//   addresses count on both sides), the first and last heights it was active, and how many
//   CoinJoin-flagged transactions spent from it without being used for clustering.
// @mode read
// @param address ADDRESS  any address of the cluster
// @columns cluster_id, size, received, sent, first_height, last_height, coinjoin_links_skipped
// @bounds the members of one cluster and their outputs (a super-cluster is stopped by the transaction timeout)
// @example :param address => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
MATCH (x:Address {address: $address})
OPTIONAL MATCH (x)-[:IN_CLUSTER]->(c:Cluster)
CALL (x, c) {
  OPTIONAL MATCH (m:Address)-[:IN_CLUSTER]->(c)
  WITH x, collect(m) AS ms
  RETURN CASE WHEN size(ms) = 0 THEN [x] ELSE ms END AS members
}
CALL (members) {
  UNWIND members AS m
  MATCH (m)<-[:LOCKED_TO]-(o:Output)
  OPTIONAL MATCH (o)<-[:CREATES]-(ct:Transaction)
  WITH o, ct WHERE ct IS NULL OR NOT coalesce(ct.stale, false)
  CALL (o) {
    OPTIONAL MATCH (o)-[:SPENT_BY]->(st:Transaction)
    WHERE NOT coalesce(st.stale, false)
    RETURN st ORDER BY st.txid LIMIT 1
  }
  RETURN sum(o.value) AS received,
         sum(CASE WHEN st IS NULL THEN 0 ELSE o.value END) AS sent,
         min(coalesce(ct.height, o.prevout_height)) AS first_created,
         max(coalesce(ct.height, o.prevout_height)) AS last_created,
         min(st.height) AS first_spent, max(st.height) AS last_spent
}
CALL (members) {
  UNWIND members AS m
  MATCH (m)<-[:LOCKED_TO]-(:Output)-[:SPENT_BY]->(t:Transaction)
  WHERE t.coinjoin_skipped
  RETURN count(DISTINCT t) AS skipped
}
WITH c, x, members, received, sent, skipped,
     [h IN [first_created, first_spent] WHERE h IS NOT NULL] AS firsts,
     [h IN [last_created, last_spent] WHERE h IS NOT NULL] AS lasts
RETURN coalesce(c.id, x.address) AS cluster_id, size(members) AS size, received, sent,
       CASE WHEN size(firsts) = 0 THEN null
            WHEN size(firsts) = 1 THEN firsts[0]
            ELSE apoc.coll.min(firsts) END AS first_height,
       CASE WHEN size(lasts) = 0 THEN null
            WHEN size(lasts) = 1 THEN lasts[0]
            ELSE apoc.coll.max(lasts) END AS last_height,
       skipped AS coinjoin_links_skipped
