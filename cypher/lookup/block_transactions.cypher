// @description The transactions of one block in block order, a page at a time, with their
//   counts and values in satoshi. input_value and fee are null while any input is unresolved
//   (its spent output not loaded); a coinbase has input_value 0 and fee 0. A stale block lists
//   its transactions too; stale says a transaction is found only in stale blocks (totals leave
//   it out).
// @mode read
// @param hash HASH  block hash, 64 hex digits in display order
// @param skip INTEGER = 0  transactions to skip (paging)
// @param limit INTEGER = 100  transactions to return at most
// @columns index, txid, is_coinbase, input_count, output_count, input_value, output_value, fee, size, vsize, weight, stale
// @bounds one block; $limit of its transactions and their inputs
// @example :param hash => '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048'
MATCH (:Block {hash: $hash})<-[r:IN_BLOCK]-(t:Transaction)
WITH r, t ORDER BY r.index SKIP $skip LIMIT $limit
CALL (t) {
  OPTIONAL MATCH (i:Output)-[:SPENT_BY]->(t)
  RETURN count(i.value) AS resolved, sum(i.value) AS in_value
}
WITH r, t, CASE WHEN t.is_coinbase THEN 0
                WHEN resolved = t.input_count THEN in_value END AS input_value
RETURN r.index AS index, t.txid AS txid, t.is_coinbase AS is_coinbase,
       t.input_count AS input_count, t.output_count AS output_count, input_value,
       t.output_value AS output_value,
       CASE WHEN t.is_coinbase THEN 0 ELSE input_value - t.output_value END AS fee,
       t.size AS size, t.vsize AS vsize, t.weight AS weight, coalesce(t.stale, false) AS stale
