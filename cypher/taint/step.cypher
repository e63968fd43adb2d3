// @description One hop of taint: for the outputs of the frontier, each transaction that spends
//   one of them (once, however many it spends; stale ones left out) with ALL its inputs in vin
//   order (the spent output's id and value; value null while that output is not loaded) and
//   ALL its outputs in n order (id, n, value, address, and whether a non-stale transaction
//   spends it), plus the height and the index in its best block, for chain order.
//   chaintrail's taint (analysis/taint.py) repeats it hop by hop, then computes poison,
//   haircut or FIFO over what it collected.
// @mode read
// @param outputs LIST<STRING>  frontier output ids ('txid:n')
// @columns txid, height, index, inputs, outputs
// @bounds one spender per frontier output, each with its own inputs and outputs (a transaction's size bounds both)
// @example :param outputs => ['0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0']
UNWIND $outputs AS oid
MATCH (:Output {id: oid})-[:SPENT_BY]->(t:Transaction)
WHERE NOT coalesce(t.stale, false)
WITH DISTINCT t
CALL (t) {
  MATCH (i:Output)-[s:SPENT_BY]->(t)
  WITH i, s ORDER BY s.vin
  RETURN collect({output: i.id, vin: s.vin, value: i.value}) AS inputs
}
CALL (t) {
  MATCH (t)-[:CREATES]->(o:Output)
  WITH o ORDER BY o.n
  RETURN collect({output: o.id, n: o.n, value: o.value, address: o.address,
                  spent: EXISTS { (o)-[:SPENT_BY]->(x:Transaction)
                                  WHERE NOT coalesce(x.stale, false) }}) AS outputs
}
CALL (t) {
  OPTIONAL MATCH (t)-[b:IN_BLOCK]->(:Block {hash: t.block_hash})
  RETURN min(b.index) AS index
}
RETURN t.txid AS txid, t.height AS height, index, inputs, outputs
ORDER BY txid
