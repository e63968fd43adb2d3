// @description Attribution tags with the address (Bitcoin) or account (Ethereum, lower-case)
//   each one tags, filtered by the start of the label (case-insensitive) and by category
//   (exact), in label order (then address, source, id: a stable order for paging), a page at
//   a time. Without filters: every tag.
// @mode read
// @param label STRING = null  the start of the label, any case; null: any label
// @param category STRING = null  the category (exchange, sanctioned, ...); null: any category
// @param skip INTEGER = 0  tags to skip (paging)
// @param limit INTEGER = 100  tags to return at most
// @columns id, label, category, abuse, confidence, confidence_name, source, currency, address
// @bounds the tags whose label starts so (index seek on label_lower), else the tags of the category (index seek), else every tag (a scan), sorted; $limit rows
// @example :param label => 'binance'
CALL () {
  WITH toLower($label) AS l WHERE l IS NOT NULL
  MATCH (g:Tag) WHERE g.label_lower STARTS WITH l
  WITH g WHERE $category IS NULL OR g.category = $category
  RETURN g
  UNION
  WITH $category AS c WHERE $label IS NULL AND c IS NOT NULL
  MATCH (g:Tag {category: c})
  RETURN g
  UNION
  WITH $category AS c WHERE $label IS NULL AND c IS NULL
  MATCH (g:Tag)
  RETURN g
}
MATCH (g)-[:TAGS]->(a:Address|Account)
WITH g, a ORDER BY g.label, a.address, g.source, g.id SKIP $skip LIMIT $limit
RETURN g.id AS id, g.label AS label, g.category AS category, g.abuse AS abuse,
       g.confidence AS confidence, g.confidence_name AS confidence_name, g.source AS source,
       g.currency AS currency, a.address AS address
