// @description Where taint starts: each source resolved to the outputs it names, with their
//   values. A source is one output ('output', key 'txid:n'), every output of a transaction
//   ('txid'), every output paying an address ('address'), or every output paying a member of a
//   cluster ('cluster', key the cluster id; an address in no cluster is its own cluster).
//   Outputs created only by stale transactions are left out. `spent`: some non-stale
//   transaction spends the output. chaintrail's taint (analysis/taint.py) starts from these.
//   Ethereum (chain 'ethereum'): a source is one transfer ('output', key the transfer id) or
//   the transfers of a transaction ('txid'), of `asset` (null: any, for a transfer id), fees
//   left out, within the window, the earliest first (`output` the transfer id, `address` its
//   recipient, `value` the exact amount as a decimal string, `spent` null); or an account
//   ('address': one row, `output` null, when the account exists: taint/step reads what it
//   sent). Columns not of the chain are null.
// @mode read
// @param sources LIST<MAP>  [{source, kind, key}]: kind is 'output', 'txid', 'address' or 'cluster'
// @param limit INTEGER = 10000  outputs per source; one more row comes back when a source has more (the caller drops it and says "truncated")
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param asset STRING = "ETH"  Ethereum: 'ETH', a token contract address, or null for any
// @param min_seq INTEGER = null  Ethereum: transfers at or after this seq (block * 100000 + tx index)
// @param max_seq INTEGER = null  Ethereum: transfers at or before this seq
// @param since INTEGER = null  Ethereum: transfers at or after this time (unix seconds)
// @param until INTEGER = null  Ethereum: transfers at or before this time (unix seconds)
// @columns source, output, value, address, spent, asset, seq, from_address, kind, txid, height
// @bounds $limit + 1 outputs per source (a cluster's members are all read, its outputs cut); Ethereum: $limit + 1 transfers per source (one index prefix seek per transaction), an account by its key
// @example :param sources => [{source: '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S', kind: 'address', key: '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'}]
UNWIND CASE WHEN $chain = 'bitcoin' THEN $sources ELSE [] END AS s
CALL (s) {
  CALL (s) {
    WITH s WHERE s.kind = 'output'
    MATCH (o:Output {id: s.key})
    RETURN o
    UNION
    WITH s WHERE s.kind = 'txid'
    MATCH (:Transaction {txid: s.key})-[:CREATES]->(o:Output)
    RETURN o
    UNION
    WITH s WHERE s.kind = 'address'
    MATCH (:Address {address: s.key})<-[:LOCKED_TO]-(o:Output)
    RETURN o
    UNION
    WITH s WHERE s.kind = 'cluster'
    MATCH (:Cluster {id: s.key})<-[:IN_CLUSTER]-(:Address)<-[:LOCKED_TO]-(o:Output)
    RETURN o
    UNION
    WITH s WHERE s.kind = 'cluster'
    MATCH (a:Address {address: s.key})<-[:LOCKED_TO]-(o:Output)
    WHERE NOT EXISTS { (a)-[:IN_CLUSTER]->() }
    RETURN o
  }
  WITH o WHERE NOT EXISTS { (o)<-[:CREATES]-(:Transaction {stale: true}) }
  RETURN o ORDER BY o.id
  LIMIT $limit + 1
}
RETURN s.source AS source, o.id AS output, o.value AS value, o.address AS address,
       EXISTS { (o)-[:SPENT_BY]->(x:Transaction) WHERE NOT coalesce(x.stale, false) } AS spent,
       null AS asset, null AS seq, null AS from_address, null AS kind, null AS txid,
       null AS height
UNION ALL
UNWIND CASE WHEN $chain = 'ethereum' THEN $sources ELSE [] END AS s
CALL (s) {
  CALL (s) {
    WITH s WHERE s.kind = 'output'
    MATCH (a:Account)-[t:TRANSFER {id: s.key}]->(b:Account)
    RETURN a, t, b
    UNION
    WITH s WHERE s.kind = 'txid'
    MATCH (a:Account)-[t:TRANSFER]->(b:Account)
    WHERE t.id STARTS WITH s.key AND t.tx_hash = s.key
    RETURN a, t, b
  }
  WITH a, t, b
  WHERE ($asset IS NULL OR t.asset = $asset)
    AND ($min_seq IS NULL OR t.seq >= $min_seq) AND ($max_seq IS NULL OR t.seq <= $max_seq)
    AND ($since IS NULL OR t.time >= $since) AND ($until IS NULL OR t.time <= $until)
  RETURN a, t, b ORDER BY t.seq, t.id
  LIMIT $limit + 1
}
RETURN s.source AS source, t.id AS output, t.value AS value, b.address AS address,
       null AS spent, t.asset AS asset, t.seq AS seq, a.address AS from_address,
       t.kind AS kind, t.tx_hash AS txid, t.block AS height
UNION ALL
UNWIND CASE WHEN $chain = 'ethereum' THEN $sources ELSE [] END AS s
MATCH (b:Account {address: s.key})
WHERE s.kind = 'address' AND EXISTS { (b)-[:TRANSFER]-() }  // not one known from a tag only
RETURN s.source AS source, null AS output, null AS value, b.address AS address, null AS spent,
       $asset AS asset, null AS seq, null AS from_address, null AS kind, null AS txid,
       null AS height
