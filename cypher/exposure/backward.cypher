// @description One hop of a received-exposure walk: for the frontier outputs, the transactions
//   that created them, one row each, with every input's count and total value (null when an
//   input is unresolved: its value is not loaded) and the largest `max_fanout` inputs, each with
//   its value, address and cluster id (an address outside every cluster is its own cluster). A
//   coinbase has no inputs. analysis/exposure.py splits the value reaching a transaction over
//   its inputs in proportion to their values and repeats this hop by hop.
//   Ethereum (chain 'ethereum'): a frontier item {key, account, seq} is an account's pool of
//   `asset` at `seq`: the transfers it received at or before `seq` (the same transaction
//   allowed; within the window's start; fees left out). One row per item: `txid` the key,
//   party_count and total_limbs (per-position limb sums; `total` null) over all of them, the
//   largest max_fanout as parties (sender as address and cluster_id, seq). `coinbase`: the
//   zero address (issuance). Haircut in an account: what leaves at `seq` is a mix of all it
//   received before, in proportion.
// @mode read
// @param outputs LIST<STRING> = []  frontier output ids ('txid:n')
// @param max_fanout INTEGER = 1000  inputs listed per transaction at most, the largest first
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param frontier LIST<MAP> = []  Ethereum: [{key, account, seq}]
// @param asset STRING = "ETH"  Ethereum: 'ETH' or a token contract address
// @param min_seq INTEGER = null  Ethereum: transfers at or after this seq only (the window's start)
// @param since INTEGER = null  Ethereum: transfers at or after this time only (unix seconds)
// @columns txid, height, coinbase, reached, party_count, total, parties, total_limbs
// @bounds the frontier, one creator each; every input of a creator is counted, max_fanout listed; Ethereum: each frontier account's transfers in, read twice
// @example :param outputs => ['f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16:0']
UNWIND CASE WHEN $chain = 'bitcoin' THEN $outputs ELSE [] END AS oid
MATCH (o:Output {id: oid})<-[:CREATES]-(t:Transaction)
WITH t, collect(o.id) AS reached
CALL (t) {
  MATCH (i:Output)-[:SPENT_BY]->(t)
  RETURN count(i) AS party_count, count(i.value) AS resolved, sum(i.value) AS total
}
CALL (t) {
  MATCH (i:Output)-[:SPENT_BY]->(t)
  WITH i ORDER BY i.value DESC, i.id LIMIT $max_fanout
  OPTIONAL MATCH (i)-[:LOCKED_TO]->(a:Address)
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  RETURN collect({output: i.id, value: i.value, address: a.address,
                  cluster_id: coalesce(c.id, a.address)}) AS parties
}
RETURN t.txid AS txid, t.height AS height, coalesce(t.is_coinbase, false) AS coinbase, reached,
       party_count, CASE WHEN resolved < party_count THEN null ELSE total END AS total, parties,
       null AS total_limbs
UNION ALL
UNWIND CASE WHEN $chain = 'ethereum' THEN $frontier ELSE [] END AS f
MATCH (a:Account {address: f.account})
CALL (a, f) {
  OPTIONAL MATCH (a)<-[t:TRANSFER]-()
  WHERE t.seq <= f.seq AND t.asset = $asset
    AND ($min_seq IS NULL OR t.seq >= $min_seq) AND ($since IS NULL OR t.time >= $since)
  RETURN count(t) AS party_count,
         [sum(t.limbs[0]), sum(t.limbs[1]), sum(t.limbs[2]), sum(t.limbs[3]), sum(t.limbs[4]),
          sum(t.limbs[5]), sum(t.limbs[6]), sum(t.limbs[7]), sum(t.limbs[8])] AS total_limbs
}
CALL (a, f) {
  OPTIONAL MATCH (a)<-[t:TRANSFER]-(c:Account)
  WHERE t.seq <= f.seq AND t.asset = $asset
    AND ($min_seq IS NULL OR t.seq >= $min_seq) AND ($since IS NULL OR t.time >= $since)
  WITH t, c ORDER BY t.value_key DESC, t.id LIMIT $max_fanout
  RETURN collect(CASE WHEN t IS NOT NULL THEN {output: t.id, value: t.value, address: c.address,
                  cluster_id: c.address, seq: t.seq} END) AS parties
}
RETURN f.key AS txid, null AS height, a.address = '0x0000000000000000000000000000000000000000'
       AS coinbase, [f.key] AS reached, party_count, null AS total, parties, total_limbs
