// @description Delete a case with its items and its export records (an admin's act: an
//   analyst removes items, which keeps them). No row when there is no such case.
// @mode write
// @param id STRING  the case's id
// @columns id, deleted_items
// @bounds one case and everything IN_CASE of it
// @example :param id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (c:Case {id: $id})
OPTIONAL MATCH (c)<-[:IN_CASE]-(x)
WITH c, collect(x) AS xs
WITH c, xs, size([x IN xs WHERE x:CaseItem]) AS deleted_items
FOREACH (x IN xs | DETACH DELETE x)
DETACH DELETE c
RETURN $id AS id, deleted_items
