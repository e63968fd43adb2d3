// @description Remove transfers now known not to be: the native transfer of transactions now
//   known to have failed (an earlier load without their receipts took them for successful: a
//   failed transaction moves no value), or an ERC-721 transfer that an earlier load of a
//   token_transfers export alone wrote as an ERC-20 amount (its log, loaded now, has the token
//   id as a fourth topic). Ids as load/ethereum/transfers writes them.
// @mode write
// @param rows LIST<STRING>  transfer ids: failed transactions' hashes (their native transfer), ERC-721 tx_hash:log_index
// @columns -
// @bounds one relationship index lookup per hash
UNWIND $rows AS h
MATCH ()-[t:TRANSFER {id: h}]->()
DELETE t
