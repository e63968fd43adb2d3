// @description What the non-coinbase inputs of a set of blocks spent: how many, how many are
//   resolved (the spent output is loaded), their value, script types and distinct addresses.
// @mode read
// @param block_hashes LIST<STRING>  the blocks to summarise
// @columns inputs, resolved, input_value, addresses, without_address, script_types
// @bounds the inputs of the given blocks
// @example :param block_hashes => ['0000000000000000054a714e580b16c583701712ab91060e92dbde6eb1e052a8']
UNWIND $block_hashes AS h
MATCH (:Block {hash: h})<-[:IN_BLOCK]-(:Transaction)<-[s:SPENT_BY]-(i:Output)
WITH DISTINCT s, i
WITH collect(i) AS ins
CALL (ins) {
  UNWIND ins AS i
  WITH i WHERE i.script_type IS NOT NULL
  WITH i.script_type AS type, count(*) AS n
  ORDER BY type
  RETURN collect([type, n]) AS pairs
}
RETURN size(ins) AS inputs,
       size([i IN ins WHERE i.value IS NOT NULL]) AS resolved,
       reduce(s = 0, i IN ins | s + coalesce(i.value, 0)) AS input_value,
       size(apoc.coll.toSet([i IN ins WHERE i.address IS NOT NULL | i.address])) AS addresses,
       size([i IN ins WHERE i.value IS NOT NULL AND i.address IS NULL]) AS without_address,
       apoc.map.fromPairs(pairs) AS script_types
