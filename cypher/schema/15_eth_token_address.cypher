// @description Token contracts (accounts also labelled :Token) are found by their address.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT eth_token_address IF NOT EXISTS FOR (t:Token) REQUIRE t.address IS UNIQUE
