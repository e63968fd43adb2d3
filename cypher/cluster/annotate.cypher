// @description Record what clustering concluded about each transaction: its CoinJoin kind,
//   rule version and confidence (null when none), whether the CoinJoin filter skipped it, the
//   change outputs each change heuristic picked, and the evidence links it made between
//   addresses (SAME_ENTITY: txid, heuristic, version), replacing any it made before (a
//   transaction clustered again once more of its inputs are loaded). It leaves :Unclustered.
// @mode write
// @param rows LIST<MAP>  {txid, kind, version, confidence, skipped, change_heuristics: ['name@version', ...], change_outputs: [n, ...], links: [{from, to, heuristic, version}]}
// @columns -
// @bounds one transaction per row and its links
UNWIND $rows AS r
MATCH (t:Transaction {txid: r.txid})
REMOVE t:Unclustered
SET t.coinjoin_kind = r.kind, t.coinjoin_version = r.version,
    t.coinjoin_confidence = r.confidence, t.coinjoin_skipped = r.skipped,
    t.change_heuristics = r.change_heuristics, t.change_outputs = r.change_outputs
WITH r
CALL (r) {
  MATCH ()-[old:SAME_ENTITY {txid: r.txid}]->()
  DELETE old
}
WITH r
UNWIND r.links AS l
MATCH (a:Address {address: l.from}), (b:Address {address: l.to})
CREATE (a)-[:SAME_ENTITY {txid: r.txid, heuristic: l.heuristic, version: l.version}]->(b)
