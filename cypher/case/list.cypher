// @description Every case, oldest first (a stable order for paging), one page at a time,
//   with its number of live items.
// @mode read
// @param skip INTEGER = 0  cases to skip (paging)
// @param limit INTEGER = 100  cases to return at most
// @columns id, name, description, created_by, created_by_key, created_at, updated_at, item_count, trace_count, row_budget
// @bounds $skip + $limit cases and their items
MATCH (c:Case)
WITH c ORDER BY c.created_at, c.id SKIP $skip LIMIT $limit
CALL (c) {
  OPTIONAL MATCH (c)<-[:IN_CASE]-(i:CaseItem)
  WHERE i.removed_at IS NULL
  RETURN count(i) AS item_count,
         count(CASE WHEN i.kind = 'trace' THEN 1 END) AS trace_count,
         coalesce(sum(i.row_budget), 0) AS row_budget
}
RETURN c.id AS id, c.name AS name, c.description AS description, c.created_by AS created_by,
       c.created_by_key AS created_by_key, c.created_at AS created_at,
       c.updated_at AS updated_at, item_count, trace_count, row_budget
