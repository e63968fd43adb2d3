// @description Delete every change link (second step of a rebuild; cluster/mark_all clears
//   the multi-input evidence on the transactions), in batches. Auto-commit only.
// @mode write
// @columns -
// @bounds every CHANGE_OF relationship, 1,000 per inner transaction
MATCH ()-[e:CHANGE_OF]->()
CALL (e) { DELETE e } IN TRANSACTIONS OF 1000 ROWS
