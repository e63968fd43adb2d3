// @description Write Ethereum blocks. A property this batch does not know (null) keeps its
//   stored value, so a later load that adds a kind of source (traces, say) completes a block
//   without erasing it; `parts` is the union of the kinds of source (computed by the loader).
//   A block that gets its time here gives it to the transfers written before without one
//   (`untimed`, see load/ethereum/untimed_transfers).
// @mode write
// @param rows LIST<MAP>  {number, hash, parent_hash, time, miner, gas_used, base_fee_per_gas, tx_count, output_value (wei, decimal string), token_transfer_count, withdrawal_count, parts}
// @columns -
// @bounds one batch of rows; one index lookup per row, and one per untimed transfer
UNWIND $rows AS r
MERGE (b:EthBlock {number: r.number})
SET b.hash = coalesce(r.hash, b.hash), b.parent_hash = coalesce(r.parent_hash, b.parent_hash),
    b.time = coalesce(r.time, b.time), b.miner = coalesce(r.miner, b.miner),
    b.gas_used = coalesce(r.gas_used, b.gas_used),
    b.base_fee_per_gas = coalesce(r.base_fee_per_gas, b.base_fee_per_gas),
    b.tx_count = coalesce(r.tx_count, b.tx_count),
    b.output_value = coalesce(r.output_value, b.output_value),
    b.token_transfer_count = coalesce(r.token_transfer_count, b.token_transfer_count),
    b.withdrawal_count = coalesce(r.withdrawal_count, b.withdrawal_count),
    b.parts = r.parts
WITH b WHERE b.time IS NOT NULL AND b.untimed IS NOT NULL
CALL (b) {
  UNWIND b.untimed AS id
  MATCH ()-[t:TRANSFER {id: id}]->()
  SET t.time = b.time
}
REMOVE b.untimed
