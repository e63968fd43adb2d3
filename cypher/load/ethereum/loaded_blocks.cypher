// @description Which of these Ethereum block numbers are loaded, with their hash and the kinds
//   of source they were written from (a block is written whole, in one transaction, so its
//   presence means everything of those parts is there).
// @mode read
// @param numbers LIST<INTEGER>  block numbers to check
// @columns number, hash, parts
// @bounds one index lookup per given number
UNWIND $numbers AS n
MATCH (b:EthBlock {number: n})
RETURN b.number AS number, b.hash AS hash, b.parts AS parts
