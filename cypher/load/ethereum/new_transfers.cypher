// @description Write the value transfers of blocks that were not in the database before this
//   transaction (none of their transfers can exist): CREATE, which does not lock the two
//   accounts as MERGE must. The unique constraint on the id still refuses a duplicate (two
//   loads of the same new block at once: one of them fails). Fields as load/ethereum/transfers.
// @mode write
// @param rows LIST<MAP>  {id, kind, asset, from, to, value, value_key, limbs, block, tx_index, seq, time, tx_hash}
// @columns -
// @bounds one batch of rows; two index lookups per row, no traversal
UNWIND $rows AS r
MATCH (a:Account {address: r.`from`})
MATCH (b:Account {address: r.`to`})
CREATE (a)-[:TRANSFER {id: r.id, kind: r.kind, asset: r.asset, value: r.value,
                       value_key: r.value_key, limbs: r.limbs, block: r.block,
                       tx_index: r.tx_index, seq: r.seq, time: r.time, tx_hash: r.tx_hash}]->(b)
