// @description Write evidence: one SAME_ENTITY link per pair of addresses a transaction joins
//   (from each address to the transaction's smallest input address), with the txid, the
//   heuristic and its version.
// @mode write
// @param rows LIST<MAP>  {txid, from, to, heuristic, version}
// @columns -
// @bounds one link per row, two index lookups
UNWIND $rows AS l
MATCH (a:Address {address: l.from}), (b:Address {address: l.to})
CREATE (a)-[:SAME_ENTITY {txid: l.txid, heuristic: l.heuristic, version: l.version}]->(b)
