// @description Write Ethereum transactions and link each to its block (written before it in
//   the same transaction). Amounts and prices in wei are decimal strings (they exceed 64-bit
//   integers); a property this batch does not know (null) keeps its stored value.
// @mode write
// @param rows LIST<MAP>  {hash, block_number, tx_index, block_hash, time, status (1, 0 or null before Byzantium without traces), gas_used, effective_gas_price, fee, from, to, value, nonce, gas, gas_price, type, contract_address}
// @columns -
// @bounds one batch of rows; index lookups per row, no traversal
UNWIND $rows AS r
MERGE (t:EthTransaction {hash: r.hash})
SET t.block_number = r.block_number, t.tx_index = coalesce(r.tx_index, t.tx_index),
    t.block_hash = coalesce(r.block_hash, t.block_hash), t.time = coalesce(r.time, t.time),
    t.status = coalesce(r.status, t.status), t.gas_used = coalesce(r.gas_used, t.gas_used),
    t.effective_gas_price = coalesce(r.effective_gas_price, t.effective_gas_price),
    t.fee = coalesce(r.fee, t.fee), t.`from` = coalesce(r.`from`, t.`from`),
    t.`to` = coalesce(r.`to`, t.`to`), t.value = coalesce(r.value, t.value),
    t.nonce = coalesce(r.nonce, t.nonce), t.gas = coalesce(r.gas, t.gas),
    t.gas_price = coalesce(r.gas_price, t.gas_price), t.type = coalesce(r.type, t.type),
    t.contract_address = coalesce(r.contract_address, t.contract_address)
WITH t, r
MATCH (b:EthBlock {number: r.block_number})
MERGE (t)-[:IN_BLOCK]->(b)
