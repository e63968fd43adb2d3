// @description Ethereum accounts (externally owned or contract) are identified by their
//   lower-case 0x address.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT eth_account_address IF NOT EXISTS FOR (a:Account) REQUIRE a.address IS UNIQUE
