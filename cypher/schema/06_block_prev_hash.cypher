// @description Children of a block are found by their prev_hash (chain placement).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX block_prev_hash IF NOT EXISTS FOR (b:Block) ON (b.prev_hash)
