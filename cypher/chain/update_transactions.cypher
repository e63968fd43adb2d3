// @description Give the transactions of these blocks the height, time and hash of their best
//   containing block (main before detached before stale); `stale` marks a transaction that is
//   only in stale blocks, which the chain's totals leave out.
// @mode write
// @param hashes LIST<STRING>  blocks whose placement changed
// @columns -
// @bounds the transactions of the given blocks, and the blocks each is in (one per branch)
UNWIND $hashes AS h
MATCH (:Block {hash: h})<-[:IN_BLOCK]-(t:Transaction)
WITH DISTINCT t
CALL (t) {
  MATCH (t)-[:IN_BLOCK]->(c:Block)
  WITH c ORDER BY CASE c.status WHEN 'main' THEN 0 WHEN 'detached' THEN 1 ELSE 2 END, c.hash
  LIMIT 1
  SET t.height = c.height, t.time = c.time, t.block_hash = c.hash, t.stale = (c.status = 'stale')
}
