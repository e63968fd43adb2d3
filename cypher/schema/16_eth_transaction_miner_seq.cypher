// @description The transactions whose tip (priority fee) a miner received, in time order: read
//   as the miner's balance events by balances, taint and exposure.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX eth_transaction_miner_seq IF NOT EXISTS FOR (t:EthTransaction) ON (t.miner, t.seq)
