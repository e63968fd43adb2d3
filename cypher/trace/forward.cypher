// @description One hop forward: for each output of the frontier, the transaction that spent
//   it (stale ones left out) and that transaction's outputs of at least min_value, the largest
//   max_fanout of them, with the exact value of each, its address and the address's tags.
//   `fanout` is how many outputs the transaction has: above max_fanout, the hop was cut.
//   chaintrail's trace (analysis/trace.py) repeats it hop by hop, breadth first.
// @mode read
// @param outputs LIST<STRING>  frontier output ids ('txid:n')
// @param min_value INTEGER = 0  leave out outputs below this value (satoshi)
// @param max_fanout INTEGER = 100  outputs followed per transaction at most
// @columns from_output, from_address, txid, height, time, to_output, to_address, value, fanout, to_tags
// @bounds the frontier, one spender each, max_fanout outputs per spender
// @example :param outputs => ['0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0']
UNWIND $outputs AS oid
MATCH (o:Output {id: oid})-[:SPENT_BY]->(t:Transaction)
WHERE NOT coalesce(t.stale, false)
CALL (t) {
  MATCH (t)-[:CREATES]->(n:Output)
  WHERE n.value >= $min_value
  RETURN n ORDER BY n.value DESC, n.n
  LIMIT $max_fanout
}
CALL (n) {
  OPTIONAL MATCH (n)-[:LOCKED_TO]->(:Address)<-[:TAGS]-(g:Tag)
  WITH g ORDER BY g.category, g.label
  RETURN collect(CASE WHEN g IS NULL THEN null
                      ELSE {label: g.label, category: g.category, source: g.source} END) AS to_tags
}
RETURN o.id AS from_output, o.address AS from_address, t.txid AS txid, t.height AS height,
       t.time AS time, n.id AS to_output, n.address AS to_address, n.value AS value,
       COUNT { (t)-[:CREATES]->() } AS fanout, to_tags
