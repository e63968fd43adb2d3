// @description Delete every evidence link (second step of a rebuild), in batches. Auto-commit only.
//   Small batches are faster here (as for cluster/reset_clusters): on the same 200,000
//   transactions 3.3-3.6 s in batches of 1,000, 5.3-5.6 s in batches of 20,000.
// @mode write
// @columns -
// @bounds every SAME_ENTITY relationship, 1,000 per inner transaction
MATCH ()-[e:SAME_ENTITY]->()
CALL (e) { DELETE e } IN TRANSACTIONS OF 1000 ROWS
