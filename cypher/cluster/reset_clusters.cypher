// @description Delete every cluster (first step of a rebuild), in batches. Auto-commit only.
//   Small batches are faster here: 83,089 clusters with 421,414 members took 3.3-3.8 s in
//   batches of 500, 5.2-5.3 s in batches of 10,000 and 6.4 s in batches of 50,000.
// @mode write
// @columns -
// @bounds every Cluster node, 500 per inner transaction
MATCH (c:Cluster)
CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 500 ROWS
