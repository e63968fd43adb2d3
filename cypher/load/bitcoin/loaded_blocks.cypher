// @description Which of these block hashes are already loaded (a loaded block is written whole,
//   in one transaction, so its presence means all of it is there).
// @mode read
// @param hashes LIST<STRING>  block hashes to check
// @columns hash
// @bounds one index lookup per given hash
UNWIND $hashes AS h
MATCH (b:Block {hash: h})
RETURN b.hash AS hash
