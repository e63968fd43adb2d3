// @description Link each input to the output it spends. An output not loaded yet is created as
//   a placeholder (txid and n only) and completed when its transaction or prevout arrives, so
//   the load order of blocks does not change the result. Inputs are written a batch or two
//   after their transactions (see loaders/bitcoin/load.py); a transaction clustered in between
//   (by a `chaintrail cluster` run during the load) is labelled :Unclustered:Recluster, so
//   that it is clustered again with its inputs.
// @mode write
// @param rows LIST<MAP>  {txid, inputs: [{vin, prev_id: 'txid:n', prev_txid, prev_vout}]}
// @columns -
// @bounds one batch of rows; index lookups per transaction and input, no traversal
UNWIND $rows AS r
MATCH (t:Transaction {txid: r.txid})
FOREACH (_ IN CASE WHEN t:Unclustered THEN [] ELSE [1] END | SET t:Unclustered:Recluster)
WITH t, r
UNWIND r.inputs AS i
MERGE (o:Output {id: i.prev_id})
ON CREATE SET o.txid = i.prev_txid, o.n = i.prev_vout
MERGE (o)-[s:SPENT_BY {vin: i.vin}]->(t)
