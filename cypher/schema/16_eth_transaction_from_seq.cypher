// @description The transactions an account sent, in time order: the fees it paid (on the
//   transaction, not as transfers) are read this way by balances, taint and exposure.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX eth_transaction_from_seq IF NOT EXISTS FOR (t:EthTransaction) ON (t.`from`, t.seq)
