// @description Which of these transactions are already loaded: written by
//   load/bitcoin/transactions, with every input linked by load/bitcoin/spends (as many
//   SPENT_BY as its non-coinbase inputs). A lone transaction file loaded again is skipped on
//   this: writing its inputs again would label it :Unclustered:Recluster (load/bitcoin/spends
//   takes an already clustered transaction for one clustered before its inputs came) and
//   cluster it again, replacing its annotations.
// @mode read
// @param txids LIST<STRING>  txids to check
// @columns txid
// @bounds one index lookup and one degree count per given txid
UNWIND $txids AS id
MATCH (t:Transaction {txid: id})
WHERE t.input_count IS NOT NULL AND COUNT { (:Output)-[:SPENT_BY]->(t) } = t.input_count
RETURN t.txid AS txid
