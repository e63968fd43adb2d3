// @description Write transactions and link each to the block that contains it, at its index.
// @mode write
// @param rows LIST<MAP>  {txid, block_hash, index, props: {version, locktime, size, ...}}
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MERGE (t:Transaction {txid: r.txid})
SET t += r.props
WITH t, r
MATCH (b:Block {hash: r.block_hash})
MERGE (t)-[i:IN_BLOCK]->(b)
SET i.index = r.index
