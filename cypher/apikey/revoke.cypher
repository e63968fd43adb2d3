// @description Revoke an API key: it stays listed (the audit log names it) but no longer
//   authenticates. A key already revoked keeps its first revocation time.
// @mode write
// @param id STRING  the key's id
// @columns -
// @bounds one node by the unique id
// @example :param id => '3f9a1c0b7d2e'
MATCH (k:ApiKey {id: $id}) WHERE k.revoked_at IS NULL
SET k.revoked_at = datetime()
