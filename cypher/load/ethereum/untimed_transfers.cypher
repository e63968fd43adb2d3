// @description Remember, on their block, the transfers written without a time (traces loaded
//   before the block's blocks export): load/ethereum/blocks gives them the block's time when
//   that export comes. A block whose time is already known gave it to them as they were
//   written, so it keeps nothing. A transfer is remembered once, however often it is loaded.
// @mode write
// @param rows LIST<MAP>  {block, ids}: per block, the ids of its transfers written without a time
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MATCH (b:EthBlock {number: r.block})
WHERE b.time IS NULL
SET b.untimed = [x IN coalesce(b.untimed, []) WHERE NOT x IN r.ids] + r.ids
