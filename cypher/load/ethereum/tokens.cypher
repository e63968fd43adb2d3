// @description Write token contracts (label :Token on their account, with symbol, name and
//   decimals when known) and other known contracts (kind 'contract' only).
// @mode write
// @param rows LIST<MAP>  {address, token (boolean), symbol, name, decimals}
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MERGE (a:Account {address: r.address})
SET a.kind = 'contract'
WITH a, r
WHERE r.token
SET a:Token, a.symbol = coalesce(r.symbol, a.symbol), a.name = coalesce(r.name, a.name),
    a.decimals = coalesce(r.decimals, a.decimals)
