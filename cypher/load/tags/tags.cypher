// @description Write Bitcoin attribution tags and link each to its address. A tag is keyed by
//   `id` (a hash of currency, address, source, label and category), so loading the same claim
//   again updates it in place. An address not in the chain data yet gets its Address node
//   here, with its script_type (p2pkh, ...) only when new, so that a later chain load links to
//   it. Ethereum tags go to accounts (load/tags/eth_tags).
// @mode write
// @param rows LIST<MAP>  {id, address, currency, script_type, label, source, category, abuse, confidence, confidence_name, creator, title, lastmod, is_public, tagpack, line}
// @columns -
// @bounds one batch of rows; index lookups per tag and address, no traversal
UNWIND $rows AS r
MERGE (a:Address {address: r.address})
ON CREATE SET a.script_type = r.script_type
MERGE (t:Tag {id: r.id})
SET t.label = r.label, t.label_lower = toLower(r.label), t.category = r.category, t.abuse = r.abuse,
    t.confidence = r.confidence, t.confidence_name = r.confidence_name, t.source = r.source,
    t.currency = r.currency, t.creator = r.creator, t.title = r.title, t.lastmod = r.lastmod,
    t.is_public = r.is_public, t.tagpack = r.tagpack, t.line = r.line
MERGE (t)-[:TAGS]->(a)
