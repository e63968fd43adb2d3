// @description Link outputs to the address their script pays (P2PK: the P2PKH of its key).
// @mode write
// @param rows LIST<MAP>  {id: 'txid:n', address, address_type}
// @columns -
// @bounds one batch of rows; two index lookups per row
UNWIND $rows AS r
MATCH (o:Output {id: r.id})
MERGE (a:Address {address: r.address})
ON CREATE SET a.script_type = r.address_type
MERGE (o)-[:LOCKED_TO]->(a)
