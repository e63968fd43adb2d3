// @description Write Ethereum transactions and link each to its block (written before it in
//   the same transaction). Amounts and prices in wei are decimal strings (they exceed 64-bit
//   integers); a property this batch does not know (null) keeps its stored value. The fee is
//   booked on the transaction, not as transfers: `fee_paid` (what the sender paid for gas,
//   the blob fee included), `tip` (what the block's `miner` received) with their limbs for
//   exact sums, and `burnt`; `seq` orders it in time (block * 100000 + tx_index).
// @mode write
// @param rows LIST<MAP>  {hash, block_number, tx_index, block_hash, time, status (1, 0 or null before Byzantium without traces), gas_used, effective_gas_price, fee, blob_fee, from, to, value, nonce, gas, gas_price, type, contract_address, seq, miner, fee_paid, fee_paid_limbs, tip, tip_limbs, burnt}
// @columns -
// @bounds one batch of rows; index lookups per row, no traversal
UNWIND $rows AS r
MERGE (t:EthTransaction {hash: r.hash})
SET t.block_number = r.block_number, t.tx_index = coalesce(r.tx_index, t.tx_index),
    t.block_hash = coalesce(r.block_hash, t.block_hash), t.time = coalesce(r.time, t.time),
    t.status = coalesce(r.status, t.status), t.gas_used = coalesce(r.gas_used, t.gas_used),
    t.effective_gas_price = coalesce(r.effective_gas_price, t.effective_gas_price),
    t.fee = coalesce(r.fee, t.fee), t.blob_fee = coalesce(r.blob_fee, t.blob_fee),
    t.`from` = coalesce(r.`from`, t.`from`),
    t.`to` = coalesce(r.`to`, t.`to`), t.value = coalesce(r.value, t.value),
    t.nonce = coalesce(r.nonce, t.nonce), t.gas = coalesce(r.gas, t.gas),
    t.gas_price = coalesce(r.gas_price, t.gas_price), t.type = coalesce(r.type, t.type),
    t.contract_address = coalesce(r.contract_address, t.contract_address),
    t.seq = CASE WHEN r.tx_index IS NULL THEN coalesce(t.seq, r.seq) ELSE r.seq END,
    t.miner = coalesce(r.miner, t.miner),
    t.fee_paid = coalesce(r.fee_paid, t.fee_paid),
    t.fee_paid_limbs = coalesce(r.fee_paid_limbs, t.fee_paid_limbs),
    t.tip = coalesce(r.tip, t.tip), t.tip_limbs = coalesce(r.tip_limbs, t.tip_limbs),
    t.burnt = coalesce(r.burnt, t.burnt)
WITH t, r
MATCH (b:EthBlock {number: r.block_number})
MERGE (t)-[:IN_BLOCK]->(b)
