// @description One hop of taint: for the outputs of the frontier, each transaction that spends
//   one of them (once, however many it spends; stale ones left out) with ALL its inputs in vin
//   order (the spent output's id and value; value null while that output is not loaded) and
//   ALL its outputs in n order (id, n, value, address, and whether a non-stale transaction
//   spends it), plus the height and the index in its best block, for chain order.
//   chaintrail's taint (analysis/taint.py) repeats it hop by hop, then computes poison,
//   haircut or FIFO over what it collected.
//   Ethereum (chain 'ethereum', account chains): for each frontier item {account, seq} (the
//   earliest transfer that can bring taint to the account), the account's balance of `asset`
//   before `seq` as per-position sums of the limbs of everything it received (prior_in) and
//   sent (prior_out), fees included (Python carries them into exact integers), and its
//   transfers of `asset` in and out at or after `seq`, the earliest first, at most
//   max_events + 1 (one more tells "cut"), up to the window's end. Fees are booked on the
//   transaction and come as events too (ETH only): kind 'fee' (id hash:fee, the gas the
//   account paid, `to` null: the taint it carries is left in fees) and kind 'tip' (id
//   hash:tip, a tip the account received as the miner, `from` null: clean value). Columns
//   not of the chain are null.
// @mode read
// @param outputs LIST<STRING> = []  frontier output ids ('txid:n')
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param frontier LIST<MAP> = []  Ethereum: [{account, seq}]
// @param asset STRING = "ETH"  Ethereum: 'ETH' or a token contract address
// @param max_events INTEGER = 10000  Ethereum: transfers per account at most
// @param max_seq INTEGER = null  Ethereum: transfers at or before this seq only (the window's end)
// @param until INTEGER = null  Ethereum: transfers at or before this time only (unix seconds)
// @columns txid, height, index, inputs, outputs, account, seq, prior_in, prior_out, events
// @bounds one spender per frontier output, each with its own inputs and outputs (a transaction's size bounds both); Ethereum: each frontier account's transfers of the asset read twice (its balance before, its transfers after), max_events + 1 returned
// @example :param outputs => ['0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0']
UNWIND CASE WHEN $chain = 'bitcoin' THEN $outputs ELSE [] END AS oid
MATCH (:Output {id: oid})-[:SPENT_BY]->(t:Transaction)
WHERE NOT coalesce(t.stale, false)
WITH DISTINCT t
CALL (t) {
  MATCH (i:Output)-[s:SPENT_BY]->(t)
  WITH i, s ORDER BY s.vin
  RETURN collect({output: i.id, vin: s.vin, value: i.value}) AS inputs
}
CALL (t) {
  MATCH (t)-[:CREATES]->(o:Output)
  WITH o ORDER BY o.n
  RETURN collect({output: o.id, n: o.n, value: o.value, address: o.address,
                  spent: EXISTS { (o)-[:SPENT_BY]->(x:Transaction)
                                  WHERE NOT coalesce(x.stale, false) }}) AS outputs
}
CALL (t) {
  OPTIONAL MATCH (t)-[b:IN_BLOCK]->(:Block {hash: t.block_hash})
  RETURN min(b.index) AS index
}
RETURN t.txid AS txid, t.height AS height, index, inputs, outputs, null AS account,
       null AS seq, null AS prior_in, null AS prior_out, null AS events
ORDER BY txid
UNION ALL
UNWIND CASE WHEN $chain = 'ethereum' THEN $frontier ELSE [] END AS f
MATCH (a:Account {address: f.account})
CALL (a, f) {
  CALL (a, f) {
    MATCH (a)<-[t:TRANSFER]-()
    WHERE t.seq < f.seq AND t.asset = $asset
    RETURN t.limbs AS limbs
    UNION ALL
    MATCH (x:EthTransaction) WHERE x.miner = a.address AND x.seq < f.seq
    WITH x WHERE $asset = 'ETH' AND x.tip <> '0'
    RETURN x.tip_limbs AS limbs
  }
  RETURN [sum(limbs[0]), sum(limbs[1]), sum(limbs[2]), sum(limbs[3]), sum(limbs[4]),
          sum(limbs[5]), sum(limbs[6]), sum(limbs[7]), sum(limbs[8])] AS prior_in
}
CALL (a, f) {
  CALL (a, f) {
    MATCH (a)-[t:TRANSFER]->()
    WHERE t.seq < f.seq AND t.asset = $asset
    RETURN t.limbs AS limbs
    UNION ALL
    MATCH (x:EthTransaction) WHERE x.`from` = a.address AND x.seq < f.seq
    WITH x WHERE $asset = 'ETH' AND x.fee_paid <> '0'
    RETURN x.fee_paid_limbs AS limbs
  }
  RETURN [sum(limbs[0]), sum(limbs[1]), sum(limbs[2]), sum(limbs[3]), sum(limbs[4]),
          sum(limbs[5]), sum(limbs[6]), sum(limbs[7]), sum(limbs[8])] AS prior_out
}
CALL (a, f) {
  CALL (a, f) {
    MATCH (a)-[t:TRANSFER]-()
    WHERE t.seq >= f.seq AND t.asset = $asset
      AND ($max_seq IS NULL OR t.seq <= $max_seq) AND ($until IS NULL OR t.time <= $until)
    WITH DISTINCT t
    RETURN {id: t.id, kind: t.kind, `from`: startNode(t).address, `to`: endNode(t).address,
            value: t.value, seq: t.seq, txid: t.tx_hash, height: t.block} AS e
    UNION ALL
    // Fees, booked on the transaction: gas paid (to no account: the miner's part is its own
    // `tip` event) and tips received as the miner (from no account: the sender paid them).
    MATCH (x:EthTransaction) WHERE x.`from` = a.address AND x.seq >= f.seq
    WITH x WHERE $asset = 'ETH' AND x.fee_paid <> '0' AND ($max_seq IS NULL OR x.seq <= $max_seq) AND ($until IS NULL OR x.time <= $until)
    RETURN {id: x.hash + ':fee', kind: 'fee', `from`: a.address, `to`: null,
            value: x.fee_paid, seq: x.seq, txid: x.hash, height: x.block_number} AS e
    UNION ALL
    MATCH (x:EthTransaction) WHERE x.miner = a.address AND x.seq >= f.seq
    WITH x WHERE $asset = 'ETH' AND x.tip <> '0' AND ($max_seq IS NULL OR x.seq <= $max_seq) AND ($until IS NULL OR x.time <= $until)
    RETURN {id: x.hash + ':tip', kind: 'tip', `from`: null, `to`: a.address, value: x.tip,
            seq: x.seq, txid: x.hash, height: x.block_number} AS e
  }
  WITH e ORDER BY e.seq, e.id
  LIMIT $max_events + 1
  RETURN collect(e) AS events
}
RETURN null AS txid, null AS height, null AS index, null AS inputs, null AS outputs,
       a.address AS account, f.seq AS seq, prior_in, prior_out, events
