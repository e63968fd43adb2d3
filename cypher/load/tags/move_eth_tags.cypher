// @description Move Ethereum tags that an earlier version of the tag load attached to Bitcoin
//   `Address` nodes (0x addresses, script_type 'ethereum') to the account of the same
//   lower-case address, and delete such an Address node once nothing links to it. Run before
//   every tag load; with nothing to move it is one index range seek that finds nothing.
// @mode write
// @columns -
// @bounds the Address nodes whose address starts with 0x (an index range seek) and their tags
MATCH (x:Address)
WHERE x.address STARTS WITH '0x'
CALL (x) {
  MATCH (t:Tag)-[r:TAGS]->(x)
  MERGE (a:Account {address: toLower(x.address)})
  MERGE (t)-[:TAGS]->(a)
  DELETE r
}
WITH x
WHERE NOT EXISTS { (x)--() }
DELETE x
