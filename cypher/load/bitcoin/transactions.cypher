// @description Write transactions with the outputs they create and the addresses those pay,
//   and link each transaction to its block at its index (a lone transaction has none). An output first seen as spent (a
//   placeholder with only txid and n) gets its value and script here; one first known from
//   a prevout that said otherwise takes the verified block's (the verified block wins; its
//   spender is clustered again, and `corrected` marks it for load/bitcoin/correct_outputs,
//   which removes its old address link after the load: a DELETE here would add Eager
//   operators to every batch). The output is then exactly what the block says: the
//   prevout-only `prevout_height` and `from_coinbase` are removed (its creating transaction
//   says both, verified), so the graph is the same whether the prevout came before or after
//   the block (load/bitcoin/prevouts leaves a created output as it is). P2PK outputs are linked
//   to the P2PKH address of their key. A new transaction is labelled :Unclustered
//   (cluster/pending picks it up); the spender of an output that arrives after it is labelled
//   again, with :Recluster (its evidence is replaced). A new transaction whose block the load
//   already placed (`placed_in`, see loaders/bitcoin/chain.py MainTips) gets its height, time
//   and block here; when the transaction was already there (in another block too), its block's
//   status is cleared, so that chain placement after the load places its transactions again
//   by the rule of chain/update_transactions.
// @mode write
// @param rows LIST<MAP>  {txid, block_hash, index, version, locktime, size, vsize, weight, is_coinbase, input_count, output_count, output_value, wtxid, coinbase, height, time, placed_in, outputs: [{id: 'txid:n', n, value, script_type, address, address_type, pubkey, script}]}
// @columns -
// @bounds one batch of rows; index lookups per transaction and output, no traversal
// Properties are set one by one, not with `+= map`: a map write conflicts with every read in
// the planner's eyes and adds Eager operators that materialise the whole batch (seen in EXPLAIN).
UNWIND $rows AS r
MERGE (t:Transaction {txid: r.txid})
ON CREATE SET t:Unclustered, t.height = r.height, t.time = r.time, t.block_hash = r.placed_in,
    t.stale = CASE WHEN r.placed_in IS NULL THEN null ELSE false END
WITH t, r, t.version IS NULL AS created
SET t.version = r.version, t.locktime = r.locktime, t.size = r.size, t.vsize = r.vsize,
    t.weight = r.weight, t.is_coinbase = r.is_coinbase, t.input_count = r.input_count,
    t.output_count = r.output_count, t.output_value = r.output_value, t.wtxid = r.wtxid,
    t.coinbase = r.coinbase
WITH t, r, created
CALL (t, r, created) {
  MATCH (b:Block {hash: r.block_hash})
  MERGE (t)-[i:IN_BLOCK]->(b)
  SET i.index = r.index
  WITH b WHERE NOT created AND r.placed_in IS NOT NULL
  SET b.status = null
}
WITH t, r
UNWIND r.outputs AS o
MERGE (out:Output {id: o.id})
WITH t, r, o, out, out.value IS NULL AS arrives,
     out.value IS NOT NULL AND (out.value <> o.value OR
       coalesce(out.address, '') <> coalesce(o.address, '')) AS corrected
SET out.txid = r.txid, out.n = o.n, out.value = o.value, out.script_type = o.script_type,
    out.address = o.address, out.pubkey = o.pubkey, out.script = o.script,
    out.prevout_height = null, out.from_coinbase = null,
    out.corrected = CASE WHEN corrected THEN true END  // load/bitcoin/correct_outputs
MERGE (t)-[:CREATES]->(out)
WITH out, o, arrives, corrected
CALL (out, arrives, corrected) {
  MATCH (out)-[:SPENT_BY]->(s:Transaction)
  WHERE arrives OR corrected  // its spender learns the (right) address; not on a re-load
  SET s:Unclustered:Recluster
}
WITH out, o
WHERE o.address IS NOT NULL
MERGE (a:Address {address: o.address})
ON CREATE SET a.script_type = o.address_type
MERGE (out)-[:LOCKED_TO]->(a)
