// @description Evidence links by transaction: "which links did this transaction make", and
//   re-clustering a transaction replaces its links.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX same_entity_txid IF NOT EXISTS FOR ()-[e:SAME_ENTITY]-() ON (e.txid)
