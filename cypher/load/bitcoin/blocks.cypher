// @description Write blocks (header fields and counts computed from the block bytes).
// @mode write
// @param rows LIST<MAP>  one map per block: hash plus its properties (see loaders/bitcoin/rows.py)
// @columns -
// @bounds one batch of rows; no traversal
UNWIND $rows AS r
MERGE (b:Block {hash: r.hash})
SET b += r
