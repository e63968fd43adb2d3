// @description Remove the native transfer of transactions this batch wrote without knowing
//   their status (a transactions export without receipts) when an earlier load stored them as
//   failed (their top-level trace had an error): a failed transaction moves no value.
// @mode write
// @param rows LIST<STRING>  transaction hashes
// @columns -
// @bounds two index lookups per hash
UNWIND $rows AS h
MATCH (t:EthTransaction {hash: h})
WHERE t.status = 0
MATCH ()-[x:TRANSFER {id: h}]->()
DELETE x
