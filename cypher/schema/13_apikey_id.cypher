// @description API keys are identified by the id in the key (`ct_<id>_<secret>`); only the
//   key's SHA-256 hash is stored (see api/auth.py).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT apikey_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE
