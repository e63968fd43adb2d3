// @description Mark blocks whole once their inputs are linked (load/bitcoin/spends ran for them
//   in this write transaction or an earlier one): load/bitcoin/loaded_blocks counts them from
//   now on.
// @mode write
// @param rows LIST<MAP>  {hash}
// @columns -
// @bounds one index lookup per row
UNWIND $rows AS r
MATCH (b:Block {hash: r.hash})
REMOVE b.inputs_pending
