// @description The k shortest money paths from one address or cluster to another: each path
//   follows outputs forward, output -> spending transaction -> output, from an output paying
//   `from` to an output paying `to`, one row per path, shortest first: its transactions, the
//   addresses along it and its bottleneck (the smallest output on it: at most that much can
//   have moved along this path). Transactions with more than max_fanout inputs or outputs
//   (exchange batches, consolidations: super nodes) are not traversed. A path does not come
//   back through either end: no output after its first pays `from` (or a member of its
//   cluster), none before its last pays `to`; such a path only repeats a shorter one (the
//   start's own change paying on, or the end moving money to itself).
//   Ethereum (chain 'ethereum', account chains): time-respecting paths of transfers from
//   account `from` to account `to`, each hop at or after the one before it (the same
//   transaction allowed), fees left out, of `asset` (null: any asset, a hop may change it),
//   at least min_key, none from an account to itself, none through either end again;
//   accounts between the two ends with more than max_fanout transfers out or in (exchanges,
//   routers: super nodes) and the zero address (mints, burns) are not traversed. `txids` are
//   transaction hashes, `outputs` transfer ids, `addresses` the accounts along the path;
//   `bottleneck_value` (a decimal string) and `asset` are null when the path changes asset.
//   `values` and `times`, one per hop, for drawing the path: what the hop moved on along it
//   (Bitcoin: the value of the output it created; Ethereum: the transfer's amount, a decimal
//   string) and when (its transaction's time).
//   No clusters on Ethereum (from_cluster, to_cluster false).
// @mode read
// @param from ADDRESS  an address, or a cluster id when from_cluster
// @param to ADDRESS  an address, or a cluster id when to_cluster
// @param from_cluster BOOLEAN = false  `from` is a cluster id: start from any of its addresses
//   (a cluster id without a Cluster node is a one-address cluster: that address)
// @param to_cluster BOOLEAN = false  `to` is a cluster id: end at any of its addresses
// @param max_hops INTEGER = 6  transactions on a path at most (1-8)
// @param k INTEGER = 3  paths to return (1-10)
// @param min_value INTEGER = 0  leave out outputs below this value (satoshi)
// @param max_fanout INTEGER = 100  skip transactions with more inputs or outputs than this (Ethereum: accounts with more transfers out or in)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param asset STRING = "ETH"  Ethereum: 'ETH', a token contract address, or null for any asset
// @param min_key STRING = null  Ethereum: leave out transfers whose value_key (the amount zero-padded to 78 digits) is below this
// @param min_seq INTEGER = null  Ethereum: transfers at or after this seq (block * 100000 + tx index)
// @param max_seq INTEGER = null  Ethereum: transfers at or before this seq
// @param since INTEGER = null  Ethereum: transfers at or after this time (unix seconds)
// @param until INTEGER = null  Ethereum: transfers at or before this time (unix seconds)
// @columns hops, txids, addresses, outputs, bottleneck_value, asset, values, times
// @bounds at most 8 hops (a literal: Cypher takes no parameter there; the search itself
//   stops there, max_hops cuts below it) and 10 paths; super nodes skipped; the transaction
//   timeout and memory limit
// @example :param from => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
CALL () {
  MATCH (x:Address {address: $from})
  WHERE $chain = 'bitcoin' AND (NOT $from_cluster OR NOT EXISTS { MATCH (:Cluster {id: $from}) })
  RETURN x AS s
  UNION
  MATCH (x:Cluster {id: $from}) WHERE $chain = 'bitcoin' AND $from_cluster RETURN x AS s
}
CALL () {
  MATCH (x:Address {address: $to})
  WHERE NOT $to_cluster OR NOT EXISTS { MATCH (:Cluster {id: $to}) }
  RETURN x AS e
  UNION
  MATCH (x:Cluster {id: $to}) WHERE $to_cluster RETURN x AS e
}
// The last hop stands outside the repeated group so that the outputs in between can be kept
// off both ends during the search (a cluster id is its smallest address, so comparing the
// address also covers that member).
MATCH p = SHORTEST 10 (s) (()<-[:IN_CLUSTER|LOCKED_TO]-()){1,2} (first:Output)
  ((:Output)-[:SPENT_BY]->(t:Transaction)-[:CREATES]->(o:Output)
    WHERE o.value >= $min_value AND NOT coalesce(t.stale, false)
      AND t.input_count <= $max_fanout AND t.output_count <= $max_fanout
      AND NOT coalesce(o.address, '') IN [$from, $to]
      AND (NOT $from_cluster OR NOT EXISTS { (o)-[:LOCKED_TO]->()-[:IN_CLUSTER]->(s) })
      AND (NOT $to_cluster OR NOT EXISTS { (o)-[:LOCKED_TO]->()-[:IN_CLUSTER]->(e) })){0,7}
  (:Output)-[:SPENT_BY]->(tl:Transaction WHERE NOT coalesce(tl.stale, false)
    AND tl.input_count <= $max_fanout AND tl.output_count <= $max_fanout)
  -[:CREATES]->(last:Output WHERE last.value >= $min_value
    AND coalesce(last.address, '') <> $from
    AND (NOT $from_cluster OR NOT EXISTS { (last)-[:LOCKED_TO]->()-[:IN_CLUSTER]->(s) }))
  (()-[:LOCKED_TO|IN_CLUSTER]->()){1,2} (e)
WHERE size(t) < $max_hops AND first.value >= $min_value
WITH p, first, t + [tl] AS t, o + [last] AS o
ORDER BY size(t), [x IN t | x.txid], first.id
LIMIT $k
RETURN size(t) AS hops, [x IN t | x.txid] AS txids,
       [first.address] + [y IN o | y.address] AS addresses,
       [first.id] + [y IN o | y.id] AS outputs,
       reduce(m = first.value, y IN o | CASE WHEN y.value < m THEN y.value ELSE m END)
         AS bottleneck_value, null AS asset,
       [y IN o | y.value] AS values, [x IN t | x.time] AS times
UNION ALL
MATCH (s:Account {address: $from}), (e:Account {address: $to})
WHERE $chain = 'ethereum' AND s <> e
MATCH p = SHORTEST 10 ((s) ((y:Account)-[ts:TRANSFER
      WHERE ($asset IS NULL OR ts.asset = $asset)
        AND ($min_key IS NULL OR ts.value_key >= $min_key)
        AND ($min_seq IS NULL OR ts.seq >= $min_seq) AND ($max_seq IS NULL OR ts.seq <= $max_seq)
        AND ($since IS NULL OR ts.time >= $since) AND ($until IS NULL OR ts.time <= $until)
    ]->(x:Account WHERE x = e OR (x <> s
        AND x.address <> '0x0000000000000000000000000000000000000000'
        AND COUNT { (x)-[:TRANSFER]->() } <= $max_fanout
        AND COUNT { (x)<-[:TRANSFER]-() } <= $max_fanout)) WHERE x <> y){1,8} (e)
  WHERE size(ts) <= $max_hops AND none(y IN x[0..-1] WHERE y = e)
    AND all(i IN range(0, size(ts) - 2) WHERE ts[i].seq <= ts[i + 1].seq))
WITH s, ts, x
ORDER BY size(ts), [y IN ts | y.id]
LIMIT $k
WITH s, ts, x, all(y IN ts WHERE y.asset = ts[0].asset) AS one_asset
RETURN size(ts) AS hops, [y IN ts | y.tx_hash] AS txids,
       [s.address] + [y IN x | y.address] AS addresses, [y IN ts | y.id] AS outputs,
       CASE WHEN one_asset THEN reduce(m = ts[0], y IN ts |
         CASE WHEN y.value_key < m.value_key THEN y ELSE m END).value END AS bottleneck_value,
       CASE WHEN one_asset THEN ts[0].asset END AS asset,
       [y IN ts | y.value] AS values, [y IN ts | y.time] AS times
