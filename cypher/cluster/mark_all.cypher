// @description Mark every transaction for clustering (third step of a rebuild) and clear its
//   multi-input evidence (`link_heuristics`, `link_versions`): clustering writes it again
//   where the configuration links. Change links are already gone (cluster/reset_links).
//   Auto-commit only.
// @mode write
// @columns -
// @bounds every transaction, 20,000 per inner transaction
MATCH (t:Transaction)
CALL (t) {
  SET t:Unclustered, t.link_heuristics = null, t.link_versions = null
  REMOVE t:Recluster
} IN TRANSACTIONS OF 20000 ROWS
