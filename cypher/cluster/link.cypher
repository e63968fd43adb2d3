// @description Write the evidence of change links: the change output a chosen change heuristic
//   linked to its transaction's inputs gets a CHANGE_OF relationship to that transaction, with
//   the heuristic and its version. (Multi-input evidence is the transaction's own
//   `link_heuristics`, written by cluster/annotate.) Transactions are given by their internal
//   ids, as cluster/pending returned them in the same transaction.
// @mode write
// @param rows LIST<MAP>  {id: internal id of the Transaction, n: the change output's index, heuristic, version}
// @columns -
// @bounds one relationship per row; one lookup by internal id and the transaction's outputs
UNWIND $rows AS r
MATCH (t:Transaction) WHERE id(t) = r.id
MATCH (t)-[:CREATES]->(o:Output {n: r.n})
CREATE (o)-[:CHANGE_OF {heuristic: r.heuristic, version: r.version}]->(t)
