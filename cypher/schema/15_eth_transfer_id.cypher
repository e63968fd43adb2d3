// @description Value transfers between accounts are identified by their id (tx hash for the
//   native value, txhash:trace_address, txhash:log_index,
//   block:reward:n, block:withdrawal:index); the load MERGEs on it.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT eth_transfer_id IF NOT EXISTS FOR ()-[t:TRANSFER]-() REQUIRE t.id IS UNIQUE
