// @description One hop of a received-exposure walk: for the frontier outputs, the transactions
//   that created them, one row each, with every input's count and total value (null when an
//   input is unresolved: its value is not loaded) and the largest `max_fanout` inputs, each with
//   its value, address and cluster id (an address outside every cluster is its own cluster). A
//   coinbase has no inputs. analysis/exposure.py splits the value reaching a transaction over
//   its inputs in proportion to their values and repeats this hop by hop.
// @mode read
// @param outputs LIST<STRING>  frontier output ids ('txid:n')
// @param max_fanout INTEGER = 1000  inputs listed per transaction at most, the largest first
// @columns txid, height, coinbase, reached, party_count, total, parties
// @bounds the frontier, one creator each; every input of a creator is counted, max_fanout listed
// @example :param outputs => ['f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16:0']
UNWIND $outputs AS oid
MATCH (o:Output {id: oid})<-[:CREATES]-(t:Transaction)
WITH t, collect(o.id) AS reached
CALL (t) {
  MATCH (i:Output)-[:SPENT_BY]->(t)
  RETURN count(i) AS party_count, count(i.value) AS resolved, sum(i.value) AS total
}
CALL (t) {
  MATCH (i:Output)-[:SPENT_BY]->(t)
  WITH i ORDER BY i.value DESC, i.id LIMIT $max_fanout
  OPTIONAL MATCH (i)-[:LOCKED_TO]->(a:Address)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  RETURN collect({output: i.id, value: i.value, address: a.address,
                  cluster_id: coalesce(c.id, a.address)}) AS parties
}
RETURN t.txid AS txid, t.height AS height, coalesce(t.is_coinbase, false) AS coinbase, reached,
       party_count, CASE WHEN resolved < party_count THEN null ELSE total END AS total, parties
