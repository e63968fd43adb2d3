// @description Blocks are looked up by height.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX block_height IF NOT EXISTS FOR (b:Block) ON (b.height)
