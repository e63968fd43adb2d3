// @description Book fees computed from the parts the graph holds (load/ethereum/unbooked_fees):
//   the same properties load/ethereum/transactions writes when one run has every part.
//   Amounts in wei are decimal strings, with limbs for exact sums.
// @mode write
// @param rows LIST<MAP>  {hash, fee, miner, fee_paid, fee_paid_limbs, tip, tip_limbs, burnt}
// @columns -
// @bounds one batch of rows; one index lookup per row
UNWIND $rows AS r
MATCH (t:EthTransaction {hash: r.hash})
SET t.fee = r.fee, t.miner = r.miner, t.fee_paid = r.fee_paid,
    t.fee_paid_limbs = r.fee_paid_limbs, t.tip = r.tip, t.tip_limbs = r.tip_limbs,
    t.burnt = r.burnt
