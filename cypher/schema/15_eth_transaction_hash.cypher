// @description Ethereum transactions are identified by their hash.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT eth_transaction_hash IF NOT EXISTS FOR (t:EthTransaction) REQUIRE t.hash IS UNIQUE
