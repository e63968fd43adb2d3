// @description One hop backward: for each output of the frontier, the transaction that created
//   it and that transaction's inputs (the outputs it spent) of at least min_value, the largest
//   max_fanout of them, with the exact value of each, its address and the address's tags.
//   `fanout` is how many inputs the transaction has: above max_fanout, the hop was cut. A
//   coinbase has no inputs: the trail ends there.
// @mode read
// @param outputs LIST<STRING>  frontier output ids ('txid:n')
// @param min_value INTEGER = 0  leave out inputs below this value (satoshi)
// @param max_fanout INTEGER = 100  inputs followed per transaction at most
// @columns from_output, from_address, txid, height, time, to_output, to_address, value, fanout, to_tags
// @bounds the frontier, one creator each, max_fanout inputs per creator
// @example :param outputs => ['f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16:1']
UNWIND $outputs AS oid
MATCH (o:Output {id: oid})<-[:CREATES]-(t:Transaction)
CALL (t) {
  MATCH (i:Output)-[:SPENT_BY]->(t)
  WHERE coalesce(i.value, 0) >= $min_value
  RETURN i ORDER BY i.value DESC, i.id
  LIMIT $max_fanout
}
CALL (i) {
  OPTIONAL MATCH (i)-[:LOCKED_TO]->(:Address)<-[:TAGS]-(g:Tag)
  WITH g ORDER BY g.category, g.label
  RETURN collect(CASE WHEN g IS NULL THEN null
                      ELSE {label: g.label, category: g.category, source: g.source} END) AS to_tags
}
RETURN o.id AS from_output, o.address AS from_address, t.txid AS txid, t.height AS height,
       t.time AS time, i.id AS to_output, i.address AS to_address, i.value AS value,
       COUNT { (:Output)-[:SPENT_BY]->(t) } AS fanout, to_tags
