// @description Each transaction's index in the block it is placed in (null when not placed),
//   by internal id from cluster/pending in the same transaction: the order within a block,
//   read only for a chunk whose plan warns of a merge of two large clusters, so that the
//   warning names the transaction that did it first in the block (reading it for every
//   chunk cost cluster/pending about 3 s of 15 on 200,000 transactions).
// @mode read
// @param ids LIST<INTEGER>  internal ids of Transaction nodes
// @columns id, position
// @bounds the given transactions, one block link each
UNWIND $ids AS i
MATCH (t:Transaction) WHERE id(t) = i
OPTIONAL MATCH (t)-[ib:IN_BLOCK]->(blk:Block)
WHERE blk.hash = t.block_hash
RETURN i AS id, min(ib.index) AS position
