// @description How many outputs pay a path's end: an address's outputs, or the outputs of every
//   address of a cluster (a cluster id with no Cluster node is its one address, unless that
//   address is a member of a cluster with another id: then 0). trace/paths is a shortest-path
//   search from both ends; at an end with tens of thousands of outputs (an
//   exchange, a gambling service) it expands all of them, so analysis/trace.py searches
//   differently there. 0: no such address or cluster (an address exists when an output pays
//   it).
// @mode read
// @param end ADDRESS  an address, or a cluster id when cluster
// @param cluster BOOLEAN = false  `end` is a cluster id
// @columns outputs
// @bounds one address (its degree, read from the node), or the addresses of one cluster
CALL () {
  MATCH (a:Address {address: $end})
  WHERE NOT $cluster OR (NOT EXISTS { MATCH (:Cluster {id: $end}) } AND NOT (a)-[:IN_CLUSTER]->())
  RETURN a
  UNION
  MATCH (:Cluster {id: $end})<-[:IN_CLUSTER]-(a:Address) WHERE $cluster
  RETURN a
}
RETURN sum(COUNT { (a)<-[:LOCKED_TO]-() }) AS outputs
