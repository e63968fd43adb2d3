// @description The unspent outputs of the loaded chain (stale blocks and the unspendable
//   genesis output left out): how many and their value in satoshi.
// @mode read
// @columns utxo_count, utxo_value
// @bounds every output once (a full scan: use on a loaded range, not a whole chain)
MATCH (t:Transaction)-[:CREATES]->(o:Output)
WHERE NOT coalesce(t.stale, false) AND coalesce(t.height, -1) <> 0
  AND NOT EXISTS { (o)-[:SPENT_BY]->(s:Transaction) WHERE NOT coalesce(s.stale, false) }
RETURN count(o) AS utxo_count, sum(o.value) AS utxo_value
