// @description One hop forward: for each output of the frontier, the transaction that spent
//   it (stale ones left out) and that transaction's outputs of at least min_value, the largest
//   max_fanout of them, with the exact value of each, its address and the address's tags.
//   `fanout` is how many outputs the transaction has: above max_fanout, the hop was cut.
//   chaintrail's trace (analysis/trace.py) repeats it hop by hop, breadth first.
//   Ethereum (chain 'ethereum', account chains): time-respecting. For each frontier item
//   {account, seq, via, since, before} (via: the transfer that brought the money, null at the
//   start; since: a start time, else null; before: a seq the transfers must be before, else
//   null: analysis/trace.py asks an account it expanded before only for what it has not
//   read), the account's transfers out at or after `seq` (the same transaction allowed), fees
//   left out, of `asset` (null: every asset), at least min_key, the largest max_fanout per
//   asset (value_key descending, then seq, then transfer id); `fanout` counts that asset's
//   transfers out in the window (at least min_key): above max_fanout, the hop was cut. A
//   TRANSFER always joins two accounts: the other end's label is not checked. `txid` is the
//   transaction hash, `height` the block, `to_output` the transfer id, `value` the exact
//   amount (a decimal string). Columns not of the chain are null (asset, seq, kind on Bitcoin).
// @mode read
// @param outputs LIST<STRING> = []  frontier output ids ('txid:n')
// @param min_value INTEGER = 0  leave out outputs below this value (satoshi)
// @param max_fanout INTEGER = 100  outputs followed per transaction at most (Ethereum: transfers per account and asset)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param frontier LIST<MAP> = []  Ethereum: [{account, seq, via, since, before}]
// @param asset STRING = "ETH"  Ethereum: 'ETH', a token contract address, or null for every asset
// @param min_key STRING = null  Ethereum: leave out transfers whose value_key (the amount zero-padded to 78 digits) is below this
// @param max_seq INTEGER = null  Ethereum: transfers at or before this seq only (the window's end)
// @param until INTEGER = null  Ethereum: transfers at or before this time only (unix seconds)
// @columns from_output, from_address, txid, height, time, to_output, to_address, value, fanout, to_tags, asset, seq, kind
// @bounds the frontier, one spender each, max_fanout outputs per spender; Ethereum: the frontier's accounts, each account's transfers out read once (seq first: the other properties only in the seq window, hence the CASE), counted per asset; of an asset with more than max_fanout, only the max_fanout + 1 largest amounts kept (no sort of the window; all read again only on a tie there); max_fanout per asset returned
// @example :param outputs => ['0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0']
UNWIND CASE WHEN $chain = 'bitcoin' THEN $outputs ELSE [] END AS oid
MATCH (o:Output {id: oid})-[:SPENT_BY]->(t:Transaction)
WHERE NOT coalesce(t.stale, false)
CALL (t) {
  MATCH (t)-[:CREATES]->(n:Output)
  WHERE n.value >= $min_value
  RETURN n ORDER BY n.value DESC, n.n
  LIMIT $max_fanout
}
CALL (n) {
  OPTIONAL MATCH (n)-[:LOCKED_TO]->(:Address)<-[:TAGS]-(g:Tag)
  WITH g ORDER BY g.category, g.label
  RETURN collect(CASE WHEN g IS NULL THEN null
                      ELSE {label: g.label, category: g.category, source: g.source} END) AS to_tags
}
RETURN o.id AS from_output, o.address AS from_address, t.txid AS txid, t.height AS height,
       t.time AS time, n.id AS to_output, n.address AS to_address, n.value AS value,
       COUNT { (t)-[:CREATES]->() } AS fanout, to_tags, null AS asset, null AS seq, null AS kind
UNION ALL
UNWIND CASE WHEN $chain = 'ethereum' THEN $frontier ELSE [] END AS f
MATCH (a:Account {address: f.account})
CALL (a, f) {
  MATCH (a)-[t:TRANSFER]->()
  WHERE CASE WHEN t.seq >= f.seq AND (f.before IS NULL OR t.seq < f.before)
                  AND ($max_seq IS NULL OR t.seq <= $max_seq)
             THEN ($asset IS NULL OR t.asset = $asset)
                  AND (f.since IS NULL OR t.time >= f.since)
                  AND ($until IS NULL OR t.time <= $until)
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
      RETURN t ORDER BY t.value_key DESC, t.seq, t.id
      LIMIT $max_fanout
    }
    RETURN t
  }
  WITH asset, ts, t ORDER BY asset, t.value_key DESC, t.seq, t.id  // the same order every time
  RETURN t, endNode(t) AS b, size(ts) AS fanout
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
