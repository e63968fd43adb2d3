// @description Which of these block hashes are already loaded: written, and their inputs linked
//   (no `inputs_pending`; see load/bitcoin/blocks and complete_blocks).
// @mode read
// @param hashes LIST<STRING>  block hashes to check
// @columns hash
// @bounds one index lookup per given hash
UNWIND $hashes AS h
MATCH (b:Block {hash: h})
WHERE b.inputs_pending IS NULL
RETURN b.hash AS hash
