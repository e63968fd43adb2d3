// @description Every API key, oldest first, without its hash (what `chaintrail apikey list`
//   shows).
// @mode read
// @columns id, name, role, created_at, revoked_at
// @bounds every ApiKey node (a handful)
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.role AS role, k.created_at AS created_at,
       k.revoked_at AS revoked_at
ORDER BY created_at, id
