// @description Transactions are identified by their txid.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT transaction_txid IF NOT EXISTS FOR (t:Transaction) REQUIRE t.txid IS UNIQUE
