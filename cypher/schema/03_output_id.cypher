// @description Outputs are identified by 'txid:n' (the outpoint an input names).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT output_id IF NOT EXISTS FOR (o:Output) REQUIRE o.id IS UNIQUE
