// @description Write the transactions of blocks that were not in the database before this
//   transaction: CREATE instead of MERGE (the unique constraint on the hash still refuses a
//   duplicate), linked to their block. Fields as load/ethereum/transactions.
// @mode write
// @param rows LIST<MAP>  {hash, block_number, tx_index, block_hash, time, status, gas_used, effective_gas_price, fee, blob_fee, from, to, value, nonce, gas, gas_price, type, contract_address, seq, miner, fee_paid, fee_paid_limbs, tip, tip_limbs, burnt}
// @columns -
// @bounds one batch of rows; one index lookup per row, no traversal
UNWIND $rows AS r
MATCH (b:EthBlock {number: r.block_number})
CREATE (t:EthTransaction {hash: r.hash, block_number: r.block_number, tx_index: r.tx_index,
                          block_hash: r.block_hash, time: r.time, status: r.status,
                          gas_used: r.gas_used, effective_gas_price: r.effective_gas_price,
                          fee: r.fee, `from`: r.`from`, `to`: r.`to`, value: r.value,
                          nonce: r.nonce, gas: r.gas, gas_price: r.gas_price, type: r.type,
                          contract_address: r.contract_address, seq: r.seq, miner: r.miner,
                          fee_paid: r.fee_paid, fee_paid_limbs: r.fee_paid_limbs, tip: r.tip,
                          tip_limbs: r.tip_limbs, burnt: r.burnt})-[:IN_BLOCK]->(b)
