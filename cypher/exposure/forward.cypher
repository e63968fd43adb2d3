// @description One hop of a sent-exposure walk: for the frontier outputs, the transactions that
//   spent them (stale ones left out), one row each, with the count and total value of all its
//   outputs and the largest `max_fanout` outputs, each with its value, address and cluster id
//   (an address outside every cluster is its own cluster; an output without an address has
//   none). analysis/exposure.py splits the value reaching a transaction over its outputs in
//   proportion to their values and repeats this hop by hop.
//   Ethereum (chain 'ethereum'): a frontier item {key, account, seq} is the money that reached
//   an account by transfer `key` at `seq`. One row per item: the account's balance of `asset`
//   before `seq` as per-position limb sums (prior_in, prior_out; fees included) and its
//   transfers of `asset` in and out from `seq` on, the earliest first, at most
//   max_fanout + 1 (one more tells "cut"), up to the window's end, as parties (the
//   counterparty as address and cluster_id; `dir` 'in' or 'out'); fees, booked on the
//   transaction, come as parties without a counterparty (ETH only): kind 'fee' out (gas
//   paid, id hash:fee) and kind 'tip' in (a tip received as the miner, id hash:tip).
//   analysis/exposure.py
//   shares the money out over them by haircut. `coinbase`: the zero address (a burn).
// @mode read
// @param outputs LIST<STRING> = []  frontier output ids ('txid:n')
// @param max_fanout INTEGER = 1000  outputs listed per transaction at most, the largest first (Ethereum: transfers read per account)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param frontier LIST<MAP> = []  Ethereum: [{key, account, seq}]
// @param asset STRING = "ETH"  Ethereum: 'ETH' or a token contract address
// @param max_seq INTEGER = null  Ethereum: transfers at or before this seq only (the window's end)
// @param until INTEGER = null  Ethereum: transfers at or before this time only (unix seconds)
// @columns txid, height, coinbase, reached, party_count, total, parties, prior_in, prior_out
// @bounds the frontier, one spender each; every output of a spender is counted, max_fanout listed; Ethereum: each frontier account's transfers read twice (its balance before, its transfers after), max_fanout + 1 returned
// @example :param outputs => ['0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0']
UNWIND CASE WHEN $chain = 'bitcoin' THEN $outputs ELSE [] END AS oid
MATCH (o:Output {id: oid})-[:SPENT_BY]->(t:Transaction)
WHERE NOT coalesce(t.stale, false)
WITH t, collect(o.id) AS reached
CALL (t) {
  MATCH (t)-[:CREATES]->(n:Output)
  RETURN count(n) AS party_count, sum(n.value) AS total
}
CALL (t) {
  MATCH (t)-[:CREATES]->(n:Output)
  WITH n ORDER BY n.value DESC, n.n LIMIT $max_fanout
  OPTIONAL MATCH (n)-[:LOCKED_TO]->(a:Address)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  RETURN collect({output: n.id, value: n.value, address: a.address,
                  cluster_id: coalesce(c.id, a.address)}) AS parties
}
RETURN t.txid AS txid, t.height AS height, coalesce(t.is_coinbase, false) AS coinbase, reached,
       party_count, total, parties, null AS prior_in, null AS prior_out
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
    MATCH (a)-[t:TRANSFER]-(c:Account)
    WHERE t.seq >= f.seq AND t.asset = $asset
      AND ($max_seq IS NULL OR t.seq <= $max_seq) AND ($until IS NULL OR t.time <= $until)
    WITH DISTINCT t, c
    RETURN {output: t.id, value: t.value, address: c.address, cluster_id: c.address,
            seq: t.seq, kind: t.kind,
            dir: CASE WHEN startNode(t) = a THEN 'out' ELSE 'in' END} AS e
    UNION ALL
    // Fees, booked on the transaction: gas paid (to no account) and tips received as miner.
    MATCH (x:EthTransaction) WHERE x.`from` = a.address AND x.seq >= f.seq
    WITH x WHERE $asset = 'ETH' AND x.fee_paid <> '0' AND ($max_seq IS NULL OR x.seq <= $max_seq) AND ($until IS NULL OR x.time <= $until)
    RETURN {output: x.hash + ':fee', value: x.fee_paid, address: null, cluster_id: null,
            seq: x.seq, kind: 'fee', dir: 'out'} AS e
    UNION ALL
    MATCH (x:EthTransaction) WHERE x.miner = a.address AND x.seq >= f.seq
    WITH x WHERE $asset = 'ETH' AND x.tip <> '0' AND ($max_seq IS NULL OR x.seq <= $max_seq) AND ($until IS NULL OR x.time <= $until)
    RETURN {output: x.hash + ':tip', value: x.tip, address: null, cluster_id: null,
            seq: x.seq, kind: 'tip', dir: 'in'} AS e
  }
  WITH e ORDER BY e.seq, e.output
  LIMIT $max_fanout + 1
  RETURN collect(e) AS parties
}
RETURN f.key AS txid, null AS height, a.address = '0x0000000000000000000000000000000000000000'
       AS coinbase, [f.key] AS reached, size(parties) AS party_count, null AS total, parties,
       prior_in, prior_out
