// @description After a bulk import: remove parallel duplicate relationships of outputs that
//   the importer wrote twice (a transaction in two blocks of a fork writes its CREATES and
//   SPENT_BY twice; an output both loaded and given as a prevout, its LOCKED_TO twice). Two
//   spends of one output by different transactions (a double spend across a fork) stay.
// @mode write
// @columns -
// @bounds every Output once (degree checks only); outputs with a duplicate, in batches
MATCH (o:Output)
WHERE COUNT { (o)-[:LOCKED_TO]->() } > 1 OR COUNT { (o)<-[:CREATES]-() } > 1
   OR COUNT { (o)-[:SPENT_BY]->() } > 1
CALL (o) {
  OPTIONAL MATCH (o)-[r:LOCKED_TO|SPENT_BY]->(x)
  WITH type(r) AS kind, x, r.vin AS vin, collect(r) AS rs
  FOREACH (extra IN tail(rs) | DELETE extra)
  WITH count(*) AS groups
  OPTIONAL MATCH (o)<-[c:CREATES]-(:Transaction)
  WITH collect(c) AS cs
  FOREACH (extra IN tail(cs) | DELETE extra)
} IN TRANSACTIONS OF 5000 ROWS
