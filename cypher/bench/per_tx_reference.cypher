// @description Benchmark reference only: one Bitcoin transaction in one statement, the way
//   earlier Neo4j loaders (e.g. bitcoin-to-neo4j) wrote chains. bench/load_bitcoin.py runs it
//   once per transaction, each in its own database transaction, and compares.
// @mode write
// @param block_hash HASH  the block that contains the transaction
// @param txid TXID  the transaction
// @param props MAP  transaction properties
// @param outputs LIST<MAP>  {id, props, address, address_type} per output
// @param inputs LIST<MAP>  {vin, prev_id, prev_txid, prev_vout} per input
// @columns -
// @bounds one transaction
MERGE (b:Block {hash: $block_hash})
MERGE (t:Transaction {txid: $txid})
SET t += $props
MERGE (t)-[:IN_BLOCK]->(b)
FOREACH (o IN $outputs |
  MERGE (out:Output {id: o.id})
  SET out += o.props
  MERGE (t)-[:CREATES]->(out)
  FOREACH (_ IN CASE WHEN o.address IS NULL THEN [] ELSE [1] END |
    MERGE (a:Address {address: o.address})
    MERGE (out)-[:LOCKED_TO]->(a)))
FOREACH (i IN $inputs |
  MERGE (p:Output {id: i.prev_id})
  MERGE (p)-[:SPENT_BY {vin: i.vin}]->(t))
