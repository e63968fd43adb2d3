// @description Transactions waiting for clustering (label :Unclustered, set when a transaction
//   is written or when an output it spends arrives), with what the heuristics need: each
//   input's spent output (value, script type, address, and the address's current cluster)
//   and each output (value, script type, address, how many outputs pay that address, and its
//   cluster). An input whose spent output is not loaded yet has value null.
// @mode read
// @param limit INTEGER  at most this many transactions
// @columns txid, inputs, outputs
// @bounds $limit transactions, their inputs and outputs; one cluster per address
MATCH (t:Unclustered)
WITH t LIMIT $limit
CALL (t) {
  OPTIONAL MATCH (i:Output)-[s:SPENT_BY]->(t)
  WITH i, s ORDER BY s.vin
  OPTIONAL MATCH (i)-[:LOCKED_TO]->(a:Address)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  RETURN collect(CASE WHEN i IS NULL THEN null ELSE {
    address: a.address, value: i.value, script_type: i.script_type, cluster: c.id,
    size: c.size, top_txid: c.top_merge_txid, top_n: c.top_merge_addresses} END) AS inputs
}
CALL (t) {
  OPTIONAL MATCH (t)-[:CREATES]->(o:Output)
  WITH o ORDER BY o.n
  OPTIONAL MATCH (o)-[:LOCKED_TO]->(a:Address)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE {
    n: o.n, value: o.value, script_type: o.script_type, address: a.address,
    address_outputs: CASE WHEN a IS NULL THEN null ELSE COUNT { (a)<-[:LOCKED_TO]-() } END,
    cluster: c.id, size: c.size, top_txid: c.top_merge_txid,
    top_n: c.top_merge_addresses} END) AS outputs
}
RETURN t.txid AS txid, inputs, outputs
