// @description One hop backward: for each output of the frontier, the transaction that created
//   it and that transaction's inputs (the outputs it spent) of at least min_value, the largest
//   max_fanout of them, with the exact value of each, its address and the address's tags.
//   `fanout` is how many inputs the transaction has: above max_fanout, the hop was cut. A
//   coinbase has no inputs: the trail ends there.
//   Ethereum (chain 'ethereum', account chains): time-respecting. For each frontier item
//   {account, seq, via, until, after} (via: the transfer the money left by, null at the start;
//   until: an end time, else null; after: a seq the transfers must be after, else null:
//   analysis/trace.py asks an account it expanded before only for what it has not read), the
//   account's transfers in at or before `seq` (the same transaction allowed), fees left out,
//   of `asset` (null: every asset), at least min_key, the largest max_fanout per asset
//   (value_key descending, then seq descending, then transfer id), with the sender as
//   `to_address` (the account the hop reaches); `fanout` counts that asset's transfers in the
//   window (at least min_key). A TRANSFER always joins two accounts: the other end's label is
//   not checked.
//   Genesis, reward and withdrawal transfers come from the zero address: the trail ends
//   there. Columns not of the chain are null (asset, seq, kind on Bitcoin).
// @mode read
// @param outputs LIST<STRING> = []  frontier output ids ('txid:n')
// @param min_value INTEGER = 0  leave out inputs below this value (satoshi)
// @param max_fanout INTEGER = 100  inputs followed per transaction at most (Ethereum: transfers per account and asset)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param frontier LIST<MAP> = []  Ethereum: [{account, seq, via, until, after}]
// @param asset STRING = "ETH"  Ethereum: 'ETH', a token contract address, or null for every asset
// @param min_key STRING = null  Ethereum: leave out transfers whose value_key (the amount zero-padded to 78 digits) is below this
// @param min_seq INTEGER = null  Ethereum: transfers at or after this seq only (the window's start)
// @param since INTEGER = null  Ethereum: transfers at or after this time only (unix seconds)
// @columns from_output, from_address, txid, height, time, to_output, to_address, value, fanout, to_tags, asset, seq, kind
// @bounds the frontier, one creator each, max_fanout inputs per creator; Ethereum: the frontier's accounts, each account's transfers in read once (seq first: the other properties only in the seq window, hence the CASE), counted per asset; of an asset with more than max_fanout, only the max_fanout + 1 largest amounts kept (no sort of the window; all read again only on a tie there); max_fanout per asset returned
// @example :param outputs => ['f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16:1']
UNWIND CASE WHEN $chain = 'bitcoin' THEN $outputs ELSE [] END AS oid
MATCH (o:Output {id: oid})<-[:CREATES]-(t:Transaction)
CALL (t) {
  MATCH (i:Output)-[:SPENT_BY]->(t)
  WHERE coalesce(i.value, 0) >= $min_value
  RETURN i ORDER BY i.value DESC, i.id
  LIMIT $max_fanout
}
CALL (i) {
  OPTIONAL MATCH (i)-[:LOCKED_TO]->(:Address)<-[:TAGS]-(g:Tag)
  WITH g ORDER BY g.category, g.label
  RETURN collect(CASE WHEN g IS NULL THEN null
                      ELSE {label: g.label, category: g.category, source: g.source} END) AS to_tags
}
RETURN o.id AS from_output, o.address AS from_address, t.txid AS txid, t.height AS height,
       t.time AS time, i.id AS to_output, i.address AS to_address, i.value AS value,
       COUNT { (:Output)-[:SPENT_BY]->(t) } AS fanout, to_tags, null AS asset, null AS seq,
       null AS kind
UNION ALL
UNWIND CASE WHEN $chain = 'ethereum' THEN $frontier ELSE [] END AS f
MATCH (a:Account {address: f.account})
CALL (a, f) {
  MATCH (a)<-[t:TRANSFER]-()
  WHERE CASE WHEN t.seq <= f.seq AND (f.after IS NULL OR t.seq > f.after)
                  AND ($min_seq IS NULL OR t.seq >= $min_seq)
             THEN ($asset IS NULL OR t.asset = $asset)
                  AND (f.until IS NULL OR t.time <= f.until)
                  AND ($since IS NULL OR t.time >= $since)
                  AND ($min_key IS NULL OR t.value_key >= $min_key)
             ELSE false END
  WITH coalesce($asset, t.asset) AS asset, collect(t) AS ts
  CALL (ts) {
    WITH ts WHERE size(ts) <= $max_fanout
    UNWIND ts AS t
    RETURN t
    UNION ALL
    WITH ts WHERE size(ts) > $max_fanout
    CALL (ts) {
      UNWIND ts AS t
      WITH t, t.value_key AS k ORDER BY k DESC LIMIT $max_fanout + 1
      RETURN collect({t: t, k: k}) AS top, min(k) AS low
    }
    WITH ts, top, low, size([x IN top WHERE x.k = low]) AS at_low
    CALL (ts, top, low, at_low) {
      WITH top, low WHERE at_low = 1
      UNWIND top AS x
      WITH x WHERE x.k > low
      RETURN x.t AS t
      UNION ALL
      WITH ts WHERE at_low > 1
      UNWIND ts AS t
      RETURN t ORDER BY t.value_key DESC, t.seq DESC, t.id
      LIMIT $max_fanout
    }
    RETURN t
  }
  WITH asset, ts, t ORDER BY asset, t.value_key DESC, t.seq DESC, t.id  // the same order every time
  RETURN t, startNode(t) AS b, size(ts) AS fanout
}
CALL (b) {
  OPTIONAL MATCH (b)<-[:TAGS]-(g:Tag)
  WITH g ORDER BY g.category, g.label
  RETURN collect(CASE WHEN g IS NULL THEN null
                      ELSE {label: g.label, category: g.category, source: g.source} END) AS to_tags
}
RETURN f.via AS from_output, a.address AS from_address, t.tx_hash AS txid, t.block AS height,
       t.time AS time, t.id AS to_output, b.address AS to_address, t.value AS value, fanout,
       to_tags, t.asset AS asset, t.seq AS seq, t.kind AS kind
