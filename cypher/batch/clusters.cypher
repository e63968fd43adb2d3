// @description The cluster of each of several addresses (the API's DataLoader): its id and
//   size; an address outside every cluster is its own one-address cluster.
// @mode read
// @param addresses LIST<ADDRESS>  address strings
// @columns address, cluster_id, size
// @bounds the given addresses, one cluster each
UNWIND $addresses AS x
MATCH (a:Address {address: x})
OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
RETURN x AS address, coalesce(c.id, x) AS cluster_id, coalesce(c.size, 1) AS size
