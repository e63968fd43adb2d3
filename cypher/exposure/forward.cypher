// @description One hop of a sent-exposure walk: for the frontier outputs, the transactions that
//   spent them (stale ones left out), one row each, with the count and total value of all its
//   outputs and the largest `max_fanout` outputs, each with its value, address and cluster id
//   (an address outside every cluster is its own cluster; an output without an address has
//   none). analysis/exposure.py splits the value reaching a transaction over its outputs in
//   proportion to their values and repeats this hop by hop.
// @mode read
// @param outputs LIST<STRING>  frontier output ids ('txid:n')
// @param max_fanout INTEGER = 1000  outputs listed per transaction at most, the largest first
// @columns txid, height, coinbase, reached, party_count, total, parties
// @bounds the frontier, one spender each; every output of a spender is counted, max_fanout listed
// @example :param outputs => ['0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0']
UNWIND $outputs AS oid
MATCH (o:Output {id: oid})-[:SPENT_BY]->(t:Transaction)
WHERE NOT coalesce(t.stale, false)
WITH t, collect(o.id) AS reached
CALL (t) {
  MATCH (t)-[:CREATES]->(n:Output)
  RETURN count(n) AS party_count, sum(n.value) AS total
}
CALL (t) {
  MATCH (t)-[:CREATES]->(n:Output)
  WITH n ORDER BY n.value DESC, n.n LIMIT $max_fanout
  OPTIONAL MATCH (n)-[:LOCKED_TO]->(a:Address)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  RETURN collect({output: n.id, value: n.value, address: a.address,
                  cluster_id: coalesce(c.id, a.address)}) AS parties
}
RETURN t.txid AS txid, t.height AS height, coalesce(t.is_coinbase, false) AS coinbase, reached,
       party_count, total, parties
