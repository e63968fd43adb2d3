// @description One API key by id, with its hash (to check a presented key) and whether it is
//   revoked; no row when there is no such key.
// @mode read
// @param id STRING  the key's id
// @columns id, name, role, hash, created_at, revoked_at
// @bounds one node by the unique id
// @example :param id => '3f9a1c0b7d2e'
MATCH (k:ApiKey {id: $id})
RETURN k.id AS id, k.name AS name, k.role AS role, k.hash AS hash,
       k.created_at AS created_at, k.revoked_at AS revoked_at
