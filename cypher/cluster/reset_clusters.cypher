// @description Delete every cluster (first step of a rebuild), in batches. Auto-commit only.
// @mode write
// @columns -
// @bounds every Cluster node, 10,000 per inner transaction
MATCH (c:Cluster)
CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 10000 ROWS
