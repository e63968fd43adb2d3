// @description Give transfers written without their transaction's index (a token_transfers
//   export loaded without the block's transactions, receipts or logs) the index and `seq` of
//   their transaction once it is in the graph, so that they are ordered in time as a single
//   load orders them. The block remembers (`unindexed`) those whose transaction is not there
//   yet; a later load of the block resolves them.
// @mode write
// @param rows LIST<MAP>  {block, ids}: per block written, the ids of its transfers written now without an index ([] for none)
// @columns -
// @bounds one batch of rows; one index lookup per row and two per remembered transfer
UNWIND $rows AS r
MATCH (b:EthBlock {number: r.block})
WITH b, [x IN coalesce(b.unindexed, []) WHERE NOT x IN r.ids] + r.ids AS ids
WHERE size(ids) > 0
CALL (b, ids) {
  UNWIND ids AS id
  MATCH ()-[t:TRANSFER {id: id}]->()
  OPTIONAL MATCH (tx:EthTransaction {hash: t.tx_hash})
  WITH id, t, tx, tx.tx_index IS NOT NULL AS known
  SET t.tx_index = CASE WHEN known THEN tx.tx_index ELSE t.tx_index END,
      t.seq = CASE WHEN known THEN tx.seq ELSE t.seq END
  RETURN collect(CASE WHEN known THEN null ELSE id END) AS left
}
SET b.unindexed = CASE WHEN size(left) = 0 THEN null ELSE left END
