// @description Link each input to the output it spends. An output not loaded yet is created as
//   a placeholder (txid and n only) and completed when its transaction or prevout arrives, so
//   the load order of blocks does not change the result.
// @mode write
// @param rows LIST<MAP>  {txid, vin, prev_id: 'txid:n', prev_txid, prev_vout}
// @columns -
// @bounds one batch of rows; two index lookups per row
UNWIND $rows AS r
MATCH (t:Transaction {txid: r.txid})
MERGE (o:Output {id: r.prev_id})
ON CREATE SET o.txid = r.prev_txid, o.n = r.prev_vout
MERGE (o)-[s:SPENT_BY {vin: r.vin}]->(t)
