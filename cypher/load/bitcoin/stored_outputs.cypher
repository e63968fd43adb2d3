// @description Outputs already stored with their value (written by a loaded transaction, or
//   by an earlier prevouts file), of the given ids: what they pay and whether a loaded
//   transaction created them. A --prevouts file is checked against them before anything of it
//   is written: a prevout that contradicts a stored output is refused, naming its line.
// @mode read
// @param ids LIST<STRING>  output ids 'txid:n'
// @columns id, value, script_type, address, script, created
// @bounds one index seek per id
// @example :param ids => ['0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0']
UNWIND $ids AS id
MATCH (o:Output {id: id})
WHERE o.value IS NOT NULL
RETURN o.id AS id, o.value AS value, o.script_type AS script_type, o.address AS address,
       o.script AS script, EXISTS { (:Transaction)-[:CREATES]->(o) } AS created
