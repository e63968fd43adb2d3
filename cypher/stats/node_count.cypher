// @description How many nodes the database holds (from the count store: instant). A bulk
//   import refuses to run unless it is 0.
// @mode read
// @columns nodes
// @bounds constant time
MATCH (n)
RETURN count(n) AS nodes
