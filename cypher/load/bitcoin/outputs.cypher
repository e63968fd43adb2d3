// @description Write the outputs a transaction creates. An output first seen as spent (a
//   placeholder with only txid and n) gets its value and script here.
// @mode write
// @param rows LIST<MAP>  {id: 'txid:n', txid, props: {txid, n, value, script_type, address, ...}}
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MERGE (o:Output {id: r.id})
SET o += r.props
WITH o, r
MATCH (t:Transaction {txid: r.txid})
MERGE (t)-[:CREATES]->(o)
