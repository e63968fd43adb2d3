// @description Merge clusters: the members of each absorbed cluster move to the kept one (the
//   larger: the smaller cluster joins the larger), and the absorbed cluster node is deleted.
//   Runs before cluster/grow in the same transaction.
// @mode write
// @param rows LIST<MAP>  {keep: cluster id, absorb: [cluster id, ...]}
// @columns -
// @bounds the members of the absorbed (smaller) clusters
UNWIND $rows AS r
MATCH (k:Cluster {id: r.keep})
UNWIND r.absorb AS aid
MATCH (c:Cluster {id: aid})
CALL (c, k) {
  MATCH (a:Address)-[m:IN_CLUSTER]->(c)
  DELETE m
  CREATE (a)-[:IN_CLUSTER]->(k)
}
DETACH DELETE c
