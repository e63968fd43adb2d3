// @description Store the computed placement of blocks: height (null when unknown), status
//   (main, stale or detached) and cumulative work from the root of its branch (hex).
// @mode write
// @param rows LIST<MAP>  {hash, height, status, chainwork}
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MATCH (b:Block {hash: r.hash})
SET b.height = r.height, b.status = r.status, b.chainwork = r.chainwork
