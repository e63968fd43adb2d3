// @description Delete the evidence links transactions made when clustered before (they are
//   clustered again because more of their inputs are now known), and clear their annotations.
//   Links start at an input address or, for a change heuristic, at an output address.
// @mode write
// @param txids LIST<STRING>  transactions clustered again
// @columns -
// @bounds the input and output addresses of the given transactions and their links
UNWIND $txids AS txid
MATCH (t:Transaction {txid: txid})
SET t.coinjoin_kind = null, t.coinjoin_version = null, t.coinjoin_confidence = null,
    t.coinjoin_skipped = null, t.change_heuristics = null, t.change_outputs = null
WITH t
CALL (t) {
  MATCH (t)<-[:SPENT_BY]-(:Output)-[:LOCKED_TO]->(a:Address)
  RETURN a
  UNION
  MATCH (t)-[:CREATES]->(:Output)-[:LOCKED_TO]->(a:Address)
  RETURN a
}
MATCH (a)-[old:SAME_ENTITY]->()
WHERE old.txid = t.txid
DELETE old
