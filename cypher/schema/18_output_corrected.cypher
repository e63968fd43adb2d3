// @description Outputs whose prevout said otherwise than the verified block that created them
//   (`corrected`, set by load/bitcoin/transactions): load/bitcoin/correct_outputs finds them
//   after each load. Only such outputs carry the property, so the index stays empty and costs
//   the load nothing.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX output_corrected IF NOT EXISTS FOR (o:Output) ON (o.corrected)
