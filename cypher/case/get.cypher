// @description One case by id with how much it holds: live items (removed ones left out),
//   saved traces, and the rows its traces may produce in all (their row budget).
// @mode read
// @param id STRING  the case's id
// @columns id, name, description, created_by, created_by_key, created_at, updated_at, item_count, trace_count, row_budget
// @bounds one case and its items
// @example :param id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (c:Case {id: $id})
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
