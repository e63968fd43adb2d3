// @description Write transactions with the outputs they create and the addresses those pay,
//   and link each transaction to its block at its index (a lone transaction has none). An output first seen as spent (a
//   placeholder with only txid and n) gets its value and script here. P2PK outputs are linked
//   to the P2PKH address of their key.
// @mode write
// @param rows LIST<MAP>  {txid, block_hash, index, props: {...}, outputs: [{id: 'txid:n', props: {...}, address, address_type}]}
// @columns -
// @bounds one batch of rows; index lookups per transaction and output, no traversal
UNWIND $rows AS r
MERGE (t:Transaction {txid: r.txid})
SET t += r.props
WITH t, r
CALL (t, r) {
  MATCH (b:Block {hash: r.block_hash})
  MERGE (t)-[i:IN_BLOCK]->(b)
  SET i.index = r.index
}
WITH t, r
UNWIND r.outputs AS o
MERGE (out:Output {id: o.id})
SET out += o.props
MERGE (t)-[:CREATES]->(out)
WITH out, o
WHERE o.address IS NOT NULL
MERGE (a:Address {address: o.address})
ON CREATE SET a.script_type = o.address_type
MERGE (out)-[:LOCKED_TO]->(a)
