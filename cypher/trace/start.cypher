// @description Where a trace starts, the largest first (an exchange's address can have
//   millions: the limit keeps the biggest). Bitcoin: the outputs of an address, of a
//   transaction, or one output. Ethereum (account chains): an account is one row (the account,
//   no transfer: the trace starts from it, within the window); a transaction is its value
//   transfers of `asset`; 'output' is one transfer by id. Fees are never trace starts.
//   Columns not of the chain are null: asset, seq and from_address on Bitcoin; `value` on
//   Ethereum is the exact amount as a decimal string.
// @mode read
// @param start STRING  an address, a txid, or an output as 'txid:vout' (Ethereum: a 0x account, a 0x transaction hash, or a transfer id)
// @param kind STRING  what start is: 'address', 'txid' or 'output'
// @param limit INTEGER = 10000  outputs (transfers) to start from; one more row comes back when there are more (the caller drops it and says "truncated")
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param asset STRING = "ETH"  Ethereum: 'ETH', a token contract address, or null for every asset
// @param min_seq INTEGER = null  Ethereum: transfers at or after this seq (block * 100000 + tx index)
// @param max_seq INTEGER = null  Ethereum: transfers at or before this seq
// @param since INTEGER = null  Ethereum: transfers at or after this time (unix seconds)
// @param until INTEGER = null  Ethereum: transfers at or before this time (unix seconds)
// @columns output, address, value, asset, seq, from_address
// @bounds $limit + 1 outputs of one address or transaction; Ethereum: one account, or the transfers of one transaction (one index prefix seek)
// @example :param start => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
CALL () {
  OPTIONAL MATCH (:Address {address: $start})<-[:LOCKED_TO]-(o:Output)
  WITH o WHERE $chain = 'bitcoin' AND $kind = 'address' AND o IS NOT NULL
  RETURN o
  UNION
  OPTIONAL MATCH (:Transaction {txid: $start})-[:CREATES]->(o:Output)
  WITH o WHERE $chain = 'bitcoin' AND $kind = 'txid' AND o IS NOT NULL
  RETURN o
  UNION
  OPTIONAL MATCH (o:Output {id: $start})
  WITH o WHERE $chain = 'bitcoin' AND $kind = 'output' AND o IS NOT NULL
  RETURN o
}
WITH o ORDER BY o.value DESC, o.id
LIMIT $limit + 1
RETURN o.id AS output, o.address AS address, o.value AS value, null AS asset, null AS seq,
       null AS from_address
UNION ALL
MATCH (a:Account {address: $start})
WHERE $chain = 'ethereum' AND $kind = 'address'
  AND EXISTS { (a)-[:TRANSFER]-() }  // not an account known from a tag only
RETURN null AS output, a.address AS address, null AS value, $asset AS asset, null AS seq,
       null AS from_address
UNION ALL
CALL () {
  MATCH (s:Account)-[t:TRANSFER]->(r:Account)
  WHERE $chain = 'ethereum' AND $kind = 'txid' AND t.id STARTS WITH $start
  RETURN s, t, r
  UNION
  MATCH (s:Account)-[t:TRANSFER {id: $start}]->(r:Account)
  WHERE $chain = 'ethereum' AND $kind = 'output'
  RETURN s, t, r
}
WITH s, t, r
WHERE ($asset IS NULL OR t.asset = $asset)
  AND ($kind = 'output' OR t.tx_hash = $start)
  AND ($min_seq IS NULL OR t.seq >= $min_seq) AND ($max_seq IS NULL OR t.seq <= $max_seq)
  AND ($since IS NULL OR t.time >= $since) AND ($until IS NULL OR t.time <= $until)
WITH s, t, r ORDER BY t.value_key DESC, t.id
LIMIT $limit + 1
RETURN t.id AS output, r.address AS address, t.value AS value, t.asset AS asset, t.seq AS seq,
       s.address AS from_address
