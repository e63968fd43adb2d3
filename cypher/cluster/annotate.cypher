// @description Record what clustering concluded about each transaction that has something to
//   say: its CoinJoin kind, rule version and confidence, whether the CoinJoin filter kept it
//   from merging (`coinjoin_skipped`; absent means false), and the change outputs each change
//   heuristic picked (two parallel lists). Rows for other transactions are not sent (a
//   transaction clustered again had its old annotations cleared by cluster/unlink).
// @mode write
// @param rows LIST<MAP>  {id: internal id of the Transaction (from cluster/pending, same transaction), kind, version, confidence, skipped, change_heuristics: ['name@version', ...], change_outputs: [n, ...]}
// @columns -
// @bounds one transaction per row
UNWIND $rows AS r
MATCH (t:Transaction) WHERE id(t) = r.id
SET t.coinjoin_kind = r.kind, t.coinjoin_version = r.version,
    t.coinjoin_confidence = r.confidence, t.coinjoin_skipped = r.skipped,
    t.change_heuristics = r.change_heuristics,
    t.change_outputs = r.change_outputs
