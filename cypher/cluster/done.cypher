// @description Mark transactions as clustered: they leave :Unclustered (and :Recluster).
// @mode write
// @param txids LIST<STRING>  the transactions of the chunk
// @columns -
// @bounds one transaction per row
UNWIND $txids AS txid
MATCH (t:Transaction {txid: txid})
REMOVE t:Unclustered:Recluster
