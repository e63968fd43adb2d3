// @description What a set of blocks paid out: outputs, value, script types and the distinct
//   addresses paid (with P2PK counted as the P2PKH address of its key, and without P2PK).
// @mode read
// @param block_hashes LIST<STRING>  the blocks to summarise
// @columns outputs, output_value, addresses, addresses_excluding_p2pk, script_types
// @bounds the outputs of the given blocks
// @example :param block_hashes => ['00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048']
UNWIND $block_hashes AS h
MATCH (:Block {hash: h})<-[:IN_BLOCK]-(t:Transaction)-[:CREATES]->(o:Output)
WITH DISTINCT o
WITH collect(o) AS outs
CALL (outs) {
  UNWIND outs AS o
  WITH o.script_type AS type, count(*) AS n
  ORDER BY type
  RETURN collect([type, n]) AS pairs
}
RETURN size(outs) AS outputs,
       reduce(s = 0, o IN outs | s + o.value) AS output_value,
       size(apoc.coll.toSet([o IN outs WHERE o.address IS NOT NULL | o.address])) AS addresses,
       size(apoc.coll.toSet([o IN outs WHERE o.address IS NOT NULL AND o.script_type <> 'p2pk'
                             | o.address])) AS addresses_excluding_p2pk,
       apoc.map.fromPairs(pairs) AS script_types
