// @description Delete the change links of transactions clustered before (they are clustered
//   again because more of their inputs are now known). Their annotations, multi-input
//   evidence included, are rewritten by cluster/annotate in the same transaction.
// @mode write
// @param txids LIST<STRING>  transactions clustered again
// @columns -
// @bounds the CHANGE_OF relationships of the given transactions (at most one per output)
UNWIND $txids AS txid
MATCH (:Transaction {txid: txid})<-[old:CHANGE_OF]-(:Output)
DELETE old
