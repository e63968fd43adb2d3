// @description Ethereum blocks are identified by their number (one chain, finalised blocks).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT eth_block_number IF NOT EXISTS FOR (b:EthBlock) REQUIRE b.number IS UNIQUE
