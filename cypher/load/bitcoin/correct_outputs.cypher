// @description After a load: an output first written from a prevout that a verified block
//   then contradicted (marked `corrected` by load/bitcoin/transactions, which already set the
//   block's value, script and address) loses its link to the address the prevout named (and
//   that address goes when nothing else links to it). Run
//   at the end of every Bitcoin load (and of a load killed before it, by the next one).
// @mode write
// @columns corrected
// @bounds the marked outputs (an index seek; none unless a prevout was wrong)
MATCH (o:Output) WHERE o.corrected = true
CALL (o) {
  MATCH (o)-[l:LOCKED_TO]->(x:Address)
  WHERE x.address <> coalesce(o.address, '')
  DELETE l
  WITH x WHERE NOT EXISTS { (x)--() }  // the prevout's address, now linked to nothing
  DELETE x
}
REMOVE o.corrected
RETURN count(o) AS corrected
