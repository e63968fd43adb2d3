// @description Attribution tags are selected by category (sanctioned, exchange, ...).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX tag_category IF NOT EXISTS FOR (t:Tag) ON (t.category)
