// @description Write outputs known only as prevouts (from a --prevouts file or getblock
//   verbosity 3): value, script and address, without their creating transaction, which may
//   be loaded later and then only adds its CREATES link. A transaction that already spends
//   one of them is labelled :Unclustered:Recluster again when the output was a placeholder
//   until now, since its input address is now known (writing a known prevout again does not).
//   An output that a loaded transaction created is left as that verified block says, with no
//   prevout_height or from_coinbase (load/bitcoin/transactions removes them when the block
//   comes second; a prevouts file that contradicts it is refused before it is written:
//   stored_outputs).
// @mode write
// @param rows LIST<MAP>  {id: 'txid:n', txid, n, value, script_type, address, address_type, pubkey, script, prevout_height, from_coinbase}
// @columns -
// @bounds one batch of rows; index lookups per row, no traversal
UNWIND $rows AS r
MERGE (o:Output {id: r.id})
WITH o, r, o.value IS NULL AS arrives
WHERE NOT EXISTS { (:Transaction)-[:CREATES]->(o) }  // a loaded block's output stays as it is
SET o.txid = r.txid, o.n = r.n, o.value = r.value, o.script_type = r.script_type,
    o.address = r.address, o.pubkey = r.pubkey, o.script = r.script,
    o.prevout_height = r.prevout_height, o.from_coinbase = r.from_coinbase
WITH o, r, arrives
CALL (o, arrives) {
  MATCH (o)-[:SPENT_BY]->(s:Transaction)
  WHERE arrives  // was a placeholder: its spender now learns the address (not on a re-load)
  SET s:Unclustered:Recluster
}
WITH o, r
WHERE r.address IS NOT NULL
MERGE (a:Address {address: r.address})
ON CREATE SET a.script_type = r.address_type
MERGE (o)-[:LOCKED_TO]->(a)
