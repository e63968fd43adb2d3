// @description Delete every evidence link (second step of a rebuild), in batches. Auto-commit only.
// @mode write
// @columns -
// @bounds every SAME_ENTITY relationship, 20,000 per inner transaction
MATCH ()-[e:SAME_ENTITY]->()
CALL (e) { DELETE e } IN TRANSACTIONS OF 20000 ROWS
