// @description Store a new API key: its id, name, role and the SHA-256 hash of the whole key
//   (never the key itself). Fails on the apikey_id constraint if the id exists.
// @mode write
// @param id STRING  the key's id (the part after `ct_`)
// @param name STRING  who or what the key is for
// @param role STRING  reader, analyst or admin
// @param hash STRING  hex SHA-256 of the whole key
// @columns -
// @bounds one node
// @example :param id => '3f9a1c0b7d2e'
CREATE (:ApiKey {id: $id, name: $name, role: $role, hash: $hash, created_at: datetime(),
                 revoked_at: null})
