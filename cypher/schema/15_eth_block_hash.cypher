// @description Ethereum blocks are also found by their hash (unique where known).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT eth_block_hash IF NOT EXISTS FOR (b:EthBlock) REQUIRE b.hash IS UNIQUE
