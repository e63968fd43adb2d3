// @description Write Ethereum accounts; `kind` ('eoa' or 'contract') is set when the batch
//   knows it and kept otherwise.
// @mode write
// @param rows LIST<MAP>  {address (lower-case), kind: 'eoa' | 'contract' | null}
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MERGE (a:Account {address: r.address})
WITH a, r
WHERE r.kind IS NOT NULL AND coalesce(a.kind, '') <> r.kind
SET a.kind = r.kind
