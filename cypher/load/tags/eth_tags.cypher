// @description Write Ethereum attribution tags (currency ETH) and link each to its account by
//   its lower-case address. Keyed by `id` like Bitcoin's (load/tags/tags): loading the same
//   claim again updates it in place. An account not in the chain data yet gets its Account
//   node here (no kind: unknown until a chain load says), so that a later Ethereum load
//   links its transfers to it.
// @mode write
// @param rows LIST<MAP>  {id, address (lower-case), currency, script_type, label, source, category, abuse, confidence, confidence_name, creator, title, lastmod, is_public, tagpack, line}
// @columns -
// @bounds one batch of rows; index lookups per tag and account, no traversal
UNWIND $rows AS r
MERGE (a:Account {address: r.address})
MERGE (t:Tag {id: r.id})
SET t.label = r.label, t.label_lower = toLower(r.label), t.category = r.category, t.abuse = r.abuse,
    t.confidence = r.confidence, t.confidence_name = r.confidence_name, t.source = r.source,
    t.currency = r.currency, t.creator = r.creator, t.title = r.title, t.lastmod = r.lastmod,
    t.is_public = r.is_public, t.tagpack = r.tagpack, t.line = r.line
MERGE (t)-[:TAGS]->(a)
