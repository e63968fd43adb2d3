// @description Blocks are identified by their hash.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT block_hash IF NOT EXISTS FOR (b:Block) REQUIRE b.hash IS UNIQUE
