// @description One transaction with its inputs (the outputs they spend) and outputs (who spent
//   each). input_value and fee are null while any input is unresolved; a coinbase has no
//   inputs, input_value 0 and fee 0.
// @mode read
// @param txid TXID  transaction id, 64 hex digits in display order
// @columns txid, block_hash, height, input_count, output_count, input_value, output_value, fee, inputs, outputs, is_coinbase, time, version, locktime, size, vsize, weight, stale
// @bounds one transaction, its inputs and outputs, and one spender per output
// @example :param txid => 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16'
MATCH (t:Transaction {txid: $txid})
CALL (t) {
  OPTIONAL MATCH (i:Output)-[s:SPENT_BY]->(t)
  WITH i, s ORDER BY s.vin
  RETURN collect(CASE WHEN i IS NOT NULL THEN {prev_txid: i.txid, vout: i.n, address: i.address,
                 value: i.value, script_type: i.script_type} END) AS inputs,
         count(i.value) AS resolved, sum(i.value) AS in_value
}
CALL (t) {
  OPTIONAL MATCH (t)-[:CREATES]->(o:Output)
  CALL (o) {
    OPTIONAL MATCH (o)-[:SPENT_BY]->(sp:Transaction)
    WITH sp ORDER BY coalesce(sp.stale, false), sp.txid
    RETURN collect(sp.txid)[0] AS spent_by
  }
  WITH o, spent_by ORDER BY o.n
  RETURN collect(CASE WHEN o IS NOT NULL THEN {n: o.n, address: o.address,
                 script_type: o.script_type, value: o.value, spent_by_txid: spent_by} END)
         AS outputs
}
WITH t, inputs, outputs,
     CASE WHEN t.is_coinbase THEN 0 WHEN resolved = t.input_count THEN in_value END AS input_value
RETURN t.txid AS txid, t.block_hash AS block_hash, t.height AS height,
       t.input_count AS input_count, t.output_count AS output_count, input_value,
       t.output_value AS output_value,
       CASE WHEN t.is_coinbase THEN 0 ELSE input_value - t.output_value END AS fee, inputs, outputs,
       t.is_coinbase AS is_coinbase, t.time AS time, t.version AS version,
       t.locktime AS locktime, t.size AS size, t.vsize AS vsize, t.weight AS weight,
       coalesce(t.stale, false) AS stale
