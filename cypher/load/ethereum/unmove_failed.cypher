// @description Remove the native transfer of transactions now known to have failed (an earlier
//   load without their receipts took them for successful): a failed transaction moves no value.
// @mode write
// @param rows LIST<STRING>  hashes of failed transactions
// @columns -
// @bounds one relationship index lookup per hash
UNWIND $rows AS h
MATCH ()-[t:TRANSFER {id: h}]->()
DELETE t
