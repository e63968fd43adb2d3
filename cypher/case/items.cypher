// @description A case's items in the order they were added, one page at a time; removed
//   items only when asked for.
// @mode read
// @param case_id STRING  the case's id
// @param include_removed BOOLEAN = false  also list removed items
// @param skip INTEGER = 0  items to skip (paging)
// @param limit INTEGER = 100  items to return at most
// @columns id, kind, ref, params, text, digest, run_at, added_by, added_by_key, added_at, removed_by, removed_by_key, removed_at, loaded
// @bounds $skip + $limit items of one case
// @example :param case_id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (:Case {id: $case_id})<-[:IN_CASE]-(i:CaseItem)
WHERE $include_removed OR i.removed_at IS NULL
WITH i ORDER BY i.added_at, i.pos, i.id SKIP $skip LIMIT $limit
RETURN i.id AS id, i.kind AS kind, i.ref AS ref, i.params AS params, i.text AS text,
       i.digest AS digest, i.run_at AS run_at, i.added_by AS added_by,
       i.added_by_key AS added_by_key, i.added_at AS added_at, i.removed_by AS removed_by,
       i.removed_by_key AS removed_by_key, i.removed_at AS removed_at,
       EXISTS { (i)-[:REFERS_TO]->() } AS loaded
