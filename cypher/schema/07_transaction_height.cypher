// @description Transactions are ranged by height (tracing windows).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX transaction_height IF NOT EXISTS FOR (t:Transaction) ON (t.height)
