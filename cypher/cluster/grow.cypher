// @description Create or update clusters after cluster/absorb: a kept cluster takes its new id
//   (the smallest address of the merged cluster, so ids depend only on content), its size and
//   the transaction that linked the most addresses into it; new addresses join it (given by
//   their internal ids, as cluster/pending returned them in the same transaction).
// @mode write
// @param rows LIST<MAP>  {keep: cluster id or null for a new cluster, id, size, add: [internal id of an Address, ...], top_txid, top_n}
// @columns -
// @bounds one cluster per row and the addresses that join it
UNWIND $rows AS r
CALL (r) {
  WITH r WHERE r.keep IS NULL
  CREATE (k:Cluster {id: r.id})
  RETURN k
  UNION
  WITH r WHERE r.keep IS NOT NULL
  MATCH (k:Cluster {id: r.keep})
  RETURN k
}
SET k.id = r.id, k.size = r.size, k.top_merge_txid = r.top_txid,
    k.top_merge_addresses = r.top_n
WITH k, r
UNWIND r.add AS address_id
MATCH (a:Address) WHERE id(a) = address_id
CREATE (a)-[:IN_CLUSTER]->(k)
