// @description Delete every change link (second step of a rebuild; cluster/mark_all clears
//   the multi-input evidence on the transactions), in batches. Auto-commit only. Also deletes
//   the SAME_ENTITY links that versions before 2026-11-24 wrote as evidence, so a rebuild
//   brings a graph clustered by them to the current model.
// @mode write
// @columns -
// @bounds every CHANGE_OF and SAME_ENTITY relationship, 1,000 per inner transaction
MATCH ()-[e:CHANGE_OF|SAME_ENTITY]->()
CALL (e) { DELETE e } IN TRANSACTIONS OF 1000 ROWS
