// @description Write outputs known only as prevouts (from a --prevouts file or getblock
//   verbosity 3): value and script without their creating transaction, which may come later.
// @mode write
// @param rows LIST<MAP>  {id: 'txid:n', props: {txid, n, value, script_type, address, ...}}
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MERGE (o:Output {id: r.id})
SET o += r.props
