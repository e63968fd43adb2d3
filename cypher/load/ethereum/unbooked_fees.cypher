// @description The transactions of these blocks whose fee is not booked yet, with what the
//   graph holds of its parts: the sender and price (from the transactions export or a
//   receipt), the gas used (a receipt) and the block's miner and base fee (the blocks
//   export). Exports loaded in different runs each bring a part; the run that brings the
//   last books the fee (load/ethereum/book_fees). Run inside the load's write transaction.
// @mode read
// @param numbers LIST<INTEGER>  block numbers
// @columns hash, sender, gas_used, price, blob_fee, miner, base_fee
// @bounds one index lookup per number and one expansion per transaction of those blocks
UNWIND $numbers AS n
MATCH (b:EthBlock {number: n})<-[:IN_BLOCK]-(t:EthTransaction)
WHERE t.fee_paid IS NULL
RETURN t.hash AS hash, t.`from` AS sender, t.gas_used AS gas_used,
       t.effective_gas_price AS price, t.blob_fee AS blob_fee, b.miner AS miner,
       b.base_fee_per_gas AS base_fee
