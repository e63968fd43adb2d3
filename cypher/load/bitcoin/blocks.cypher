// @description Write blocks (header fields and counts computed from the block bytes), marked
//   `inputs_pending` until load/bitcoin/complete_blocks runs with their inputs
//   (load/bitcoin/spends), one or two write transactions later: until then
//   load/bitcoin/loaded_blocks does not count them, so a load killed in between writes them
//   again.
// @mode write
// @param rows LIST<MAP>  one map per block: hash plus its properties (see loaders/bitcoin/rows.py)
// @columns -
// @bounds one batch of rows; no traversal
UNWIND $rows AS r
MERGE (b:Block {hash: r.hash})
SET b += r, b.inputs_pending = true
