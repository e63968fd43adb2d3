// @description Mark every non-coinbase transaction for clustering (third step of a rebuild).
//   Auto-commit only.
// @mode write
// @columns -
// @bounds every transaction, 20,000 per inner transaction
MATCH (t:Transaction)
WHERE NOT coalesce(t.is_coinbase, false)
CALL (t) { SET t:Unclustered } IN TRANSACTIONS OF 20000 ROWS
