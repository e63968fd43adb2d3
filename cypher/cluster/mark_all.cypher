// @description Mark every transaction for clustering (third step of a rebuild).
//   Evidence is already gone (cluster/reset_links): nothing to unlink. Auto-commit only.
// @mode write
// @columns -
// @bounds every transaction, 20,000 per inner transaction
MATCH (t:Transaction)
CALL (t) {
  SET t:Unclustered
  REMOVE t:Recluster
} IN TRANSACTIONS OF 20000 ROWS
