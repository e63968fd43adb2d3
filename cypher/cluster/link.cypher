// @description Write evidence: one SAME_ENTITY link per pair of addresses a transaction joins
//   (from each address to the transaction's smallest input address), with the txid, the
//   heuristic and its version. The addresses are given by their internal ids, as
//   cluster/pending returned them in the same transaction.
// @mode write
// @param rows LIST<MAP>  {txid, from, to, heuristic, version}; from and to: internal ids of Address nodes
// @columns -
// @bounds one link per row, two lookups by internal id
UNWIND $rows AS l
MATCH (a:Address) WHERE id(a) = l.from
MATCH (b:Address) WHERE id(b) = l.to
CREATE (a)-[:SAME_ENTITY {txid: l.txid, heuristic: l.heuristic, version: l.version}]->(b)
