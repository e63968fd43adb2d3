// @description Record what clustering concluded about each transaction that has something to
//   say: its CoinJoin kind, rule version and confidence, whether the CoinJoin filter kept it
//   from merging (`coinjoin_skipped`; absent means false), the change outputs each change
//   heuristic picked (two parallel lists), and the multi-input evidence: the heuristics that
//   linked its addresses and their versions (`link_heuristics`, `link_versions`, parallel
//   lists, `multi_input` first when it linked the inputs; absent when nothing was linked).
//   Rows for other transactions are not sent; a transaction clustered again always has a
//   row, so its old annotations are replaced.
// @mode write
// @param rows LIST<MAP>  {id: internal id of the Transaction (from cluster/pending, same transaction), kind, version, confidence, skipped, change_heuristics: ['name@version', ...], change_outputs: [n, ...], link_heuristics: [name, ...], link_versions: [version, ...]}
// @columns -
// @bounds one transaction per row
UNWIND $rows AS r
MATCH (t:Transaction) WHERE id(t) = r.id
SET t.coinjoin_kind = r.kind, t.coinjoin_version = r.version,
    t.coinjoin_confidence = r.confidence, t.coinjoin_skipped = r.skipped,
    t.change_heuristics = r.change_heuristics,
    t.change_outputs = r.change_outputs,
    t.link_heuristics = r.link_heuristics, t.link_versions = r.link_versions
