// @description Transactions waiting for clustering (label :Unclustered, set when a transaction
//   is first written or when an output it spends arrives), with what the heuristics need: each
//   input's spent output (value, script type, address, and the address's current cluster)
//   and each output (value, script type, address, how many outputs pay that address, and, when
//   change heuristics may link it, its cluster). An input whose spent output is not loaded yet
//   has value null. Inputs and outputs come in no particular order (outputs carry n).
//   `seen`: labelled :Recluster (clustered before, perhaps): its old evidence is replaced.
//   `height`: its block's (null when not placed): a chunk is planned in chain order, so the
//   super-cluster warning names the transaction that merged two large clusters in the chain
//   (within a block, cluster/positions gives the order, read only when a chunk warns).
//   `id` and each `address_id` are internal node ids, valid in the reading transaction only:
//   the clustering writes of the same transaction (cluster/grow, link, annotate, done) find
//   the nodes by them instead of by unique-index seeks, which were a fifth of the server's
//   clustering time. `id()` is deprecated in Neo4j 5 in favour of `elementId()`, whose long
//   strings cost the client more than the seeks saved (measured on 200,000 transactions:
//   clustering 49-51 s with `id()`, 55-56 s with seeks, no gain with element ids).
//   Each input and output is a list, not a map, because a map sends its keys again for every
//   one of about 1.5 million entries (see docs/benchmarks.md). Positions:
//   inputs  [address, address_id, value, script_type, cluster, size, top_txid, top_n];
//   outputs [n, value, script_type, address, address_id, address_outputs,
//            cluster, size, top_txid, top_n].
//   By hand, `inputs[0]` is the first input's address.
// @mode read
// @param limit INTEGER  at most this many transactions
// @param output_clusters BOOLEAN = false  also return the clusters of output addresses
// @columns txid, id, seen, inputs, outputs, height
// @bounds $limit transactions, their inputs and outputs; one cluster per address
MATCH (t:Unclustered)
WITH t LIMIT $limit
CALL (t) {
  OPTIONAL MATCH (i:Output)-[:SPENT_BY]->(t)
  OPTIONAL MATCH (i)-[:LOCKED_TO]->(a:Address)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  RETURN collect(CASE WHEN i IS NULL THEN null ELSE [
    a.address, id(a), i.value, i.script_type,
    c.id, c.size, c.top_merge_txid, c.top_merge_addresses] END) AS inputs
}
CALL (t) {
  OPTIONAL MATCH (t)-[:CREATES]->(o:Output)
  OPTIONAL MATCH (o)-[:LOCKED_TO]->(a:Address)
  CALL (a) {
    OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
    WHERE $output_clusters
    RETURN c
  }
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE [
    o.n, o.value, o.script_type, a.address, id(a),
    CASE WHEN a IS NULL THEN null ELSE COUNT { (a)<-[:LOCKED_TO]-() } END,
    c.id, c.size, c.top_merge_txid, c.top_merge_addresses] END) AS outputs
}
RETURN t.txid AS txid, id(t) AS id, t:Recluster AS seen, inputs, outputs, t.height AS height
