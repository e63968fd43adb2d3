// @description Remove items from a case, keeping them: a removed item is marked with who
//   removed it and when, and left out of the case's lists and graph, so the record of what
//   the case once held stays whole (chain of custody). Returns the items this call removed.
// @mode write
// @param case_id STRING  the case's id
// @param item_ids LIST<STRING>  the items to remove
// @param by STRING  who removes them
// @param key_id STRING  the API key's id
// @param at STRING  when, ISO 8601 UTC
// @columns id
// @bounds one case and the named items
// @example :param case_id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (c:Case {id: $case_id})<-[:IN_CASE]-(i:CaseItem)
WHERE i.id IN $item_ids AND i.removed_at IS NULL
SET i.removed_at = $at, i.removed_by = $by, i.removed_by_key = $key_id, c.updated_at = $at
RETURN i.id AS id
ORDER BY id
