// @description Write outputs known only as prevouts (from a --prevouts file or getblock
//   verbosity 3): value, script and address, without their creating transaction, which may
//   be loaded later and then only adds its CREATES link.
// @mode write
// @param rows LIST<MAP>  {id: 'txid:n', props: {txid, n, value, script_type, ...}, address, address_type}
// @columns -
// @bounds one batch of rows; index lookups per row, no traversal
UNWIND $rows AS r
MERGE (o:Output {id: r.id})
SET o += r.props
WITH o, r
WHERE r.address IS NOT NULL
MERGE (a:Address {address: r.address})
ON CREATE SET a.script_type = r.address_type
MERGE (o)-[:LOCKED_TO]->(a)
