// @description Add items to a case, each with who added it and when; an address or a
//   transaction that is loaded is linked by REFERS_TO. Returns the new items as case/items
//   does, in the order given; no row when there is no such case.
// @mode write
// @param case_id STRING  the case's id
// @param items LIST<MAP>  {id, pos, kind: address|transaction|trace|note, ref, params, text, digest, run_at, row_budget}
// @param by STRING  who adds them (the API key's name)
// @param key_id STRING  the API key's id
// @param at STRING  when, ISO 8601 UTC
// @columns id, kind, ref, params, text, digest, run_at, added_by, added_by_key, added_at, removed_by, removed_by_key, removed_at, loaded
// @bounds one case, size($items) new nodes, one lookup by a unique key each
// @example :param case_id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (c:Case {id: $case_id})
SET c.updated_at = $at
WITH c
UNWIND $items AS row
CREATE (i:CaseItem {id: row.id, pos: row.pos, kind: row.kind, ref: row.ref,
                    params: row.params, text: row.text, digest: row.digest,
                    run_at: row.run_at, row_budget: row.row_budget, added_by: $by,
                    added_by_key: $key_id, added_at: $at})-[:IN_CASE]->(c)
WITH i, row
CALL (i, row) {
  WITH i, row WHERE row.kind = 'address'
  MATCH (a:Address {address: row.ref})
  CREATE (i)-[:REFERS_TO]->(a)
}
CALL (i, row) {
  WITH i, row WHERE row.kind = 'transaction'
  MATCH (t:Transaction {txid: row.ref})
  CREATE (i)-[:REFERS_TO]->(t)
}
RETURN i.id AS id, i.kind AS kind, i.ref AS ref, i.params AS params, i.text AS text,
       i.digest AS digest, i.run_at AS run_at, i.added_by AS added_by,
       i.added_by_key AS added_by_key, i.added_at AS added_at, i.removed_by AS removed_by,
       i.removed_by_key AS removed_by_key, i.removed_at AS removed_at,
       EXISTS { (i)-[:REFERS_TO]->() } AS loaded
ORDER BY i.pos
