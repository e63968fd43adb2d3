// @description Several addresses at once (the API's DataLoader), on Bitcoin (the default) or
//   Ethereum; addresses not in the graph give no row. Bitcoin: for each one, what it received
//   and sent (satoshi, stale blocks left out), its balance, output count and the first and
//   last heights it was used. Ethereum: as lookup/address (with fees, every asset): the
//   account's kind, its token metadata when it is a token contract, its exact balance per
//   asset (decimal strings) with the ETH ones as received, sent and balance, the
//   transactions that moved value to or from it (or that it paid gas for, or whose tip it
//   received as the miner) and the first and last of their blocks.
//   Both: the address's own tags (highest confidence first); Bitcoin: its cluster (id and
//   size; an address outside every cluster is its own one-address cluster). One round trip
//   gives the API an address with its cluster and tags. Columns of the other chain are null.
// @mode read
// @param addresses LIST<ADDRESS>  address strings (Ethereum: lower-case 0x addresses)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @columns address, script_type, received, sent, balance, output_count, first_height, last_height, tx_count, kind, token, balances, cluster_id, cluster_size, tags
// @bounds the given addresses and their outputs, one spender per output (Bitcoin); the given accounts, their transfers in and out and the transactions each sent or mined, read once for counts and balances (Ethereum)
// @example :param addresses => ['12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S']
CALL () {
  WITH $chain AS chain WHERE chain = 'bitcoin'
  UNWIND $addresses AS x
  MATCH (a:Address {address: x})
  CALL (a) {
    OPTIONAL MATCH (a)<-[:LOCKED_TO]-(o:Output)
    OPTIONAL MATCH (o)<-[:CREATES]-(ct:Transaction)
    WITH o, ct WHERE o IS NULL OR ct IS NULL OR NOT coalesce(ct.stale, false)
    CALL (o) {
      OPTIONAL MATCH (o)-[:SPENT_BY]->(st:Transaction)
      WHERE NOT coalesce(st.stale, false)
      RETURN st ORDER BY st.txid LIMIT 1
    }
    RETURN coalesce(sum(o.value), 0) AS received,
           coalesce(sum(CASE WHEN st IS NULL THEN 0 ELSE o.value END), 0) AS sent,
           count(o) AS output_count,
           min(coalesce(ct.height, o.prevout_height)) AS first_created,
           max(coalesce(st.height, ct.height, o.prevout_height)) AS last_used
  }
  OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
  CALL (a) {
    MATCH (a)<-[:TAGS]-(g:Tag)
    WITH g ORDER BY g.confidence DESC, g.label
    RETURN collect({label: g.label, category: g.category, source: g.source,
                    confidence: g.confidence, abuse: g.abuse}) AS tags
  }
  RETURN a.address AS address, a.script_type AS script_type, received, sent,
         received - sent AS balance, output_count, first_created AS first_height,
         last_used AS last_height, null AS tx_count, null AS kind, null AS token,
         null AS balances, coalesce(c.id, a.address) AS cluster_id,
         coalesce(c.size, 1) AS cluster_size, tags
  UNION ALL
  WITH $chain AS chain WHERE chain = 'ethereum'
  UNWIND $addresses AS x
  MATCH (a:Account {address: toLower(x)})
  CALL (a) {
    CALL (a) {
      MATCH (a)<-[t:TRANSFER]-()
      RETURN t.asset AS asset, t.limbs AS limbs, 1 AS dir, t.tx_hash AS tx, t.block AS block
      UNION ALL
      MATCH (a)-[t:TRANSFER]->()
      RETURN t.asset AS asset, t.limbs AS limbs, -1 AS dir, t.tx_hash AS tx, t.block AS block
      UNION ALL
      // Fees are on the transaction: tips received as a miner, gas paid as a sender.
      MATCH (x:EthTransaction) WHERE x.miner = a.address AND x.seq >= 0
      WITH x WHERE x.tip <> '0'
      RETURN 'ETH' AS asset, x.tip_limbs AS limbs, 1 AS dir, x.hash AS tx,
             x.block_number AS block
      UNION ALL
      MATCH (x:EthTransaction) WHERE x.`from` = a.address AND x.seq >= 0
      WITH x WHERE x.fee_paid <> '0'
      RETURN 'ETH' AS asset, x.fee_paid_limbs AS limbs, -1 AS dir, x.hash AS tx,
             x.block_number AS block
    }
    // One read of the account's events for both its counts and its balances.
    WITH collect({asset: asset, limbs: limbs, dir: dir, tx: tx, block: block}) AS events
    CALL (events) {
      UNWIND events AS e
      RETURN count(DISTINCT e.tx) AS tx_count, min(e.block) AS first_height,
             max(e.block) AS last_height
    }
    CALL (events) {
      UNWIND events AS e
      WITH e.asset AS asset, collect(CASE WHEN e.dir = 1 THEN e.limbs END) AS ins,
           collect(CASE WHEN e.dir = -1 THEN e.limbs END) AS outs
      // Exact sums as in lookup/address: per-position limb sums, carried to base 10^9, then
      // the smaller total subtracted from the larger with borrows.
      WITH asset, size(ins) AS n_in, size(outs) AS n_out,
           [ls IN [ins, outs] |
             reduce(acc = {c: 0, l: []}, i IN range(0, 10) |
               {c: (acc.c + reduce(s = 0, l IN ls | s + coalesce(l[i], 0))) / 1000000000,
                l: acc.l + [(acc.c + reduce(s = 0, l IN ls | s + coalesce(l[i], 0)))
                            % 1000000000]}
             ).l] AS totals
      WITH asset, n_in, n_out, totals[0] AS rin, totals[1] AS rout,
           [t IN totals | reduce(s = '', x IN reverse(t) | s + right('00000000' + toString(x), 9))]
             AS padded
      WITH asset, n_in, n_out, padded, padded[0] >= padded[1] AS positive,
           CASE WHEN padded[0] >= padded[1] THEN [rin, rout] ELSE [rout, rin] END AS pair
      WITH asset, n_in, n_out, padded, positive,
           reduce(acc = {b: 0, l: []}, i IN range(0, 10) |
             CASE WHEN pair[0][i] - pair[1][i] - acc.b < 0
                  THEN {b: 1, l: acc.l + [pair[0][i] - pair[1][i] - acc.b + 1000000000]}
                  ELSE {b: 0, l: acc.l + [pair[0][i] - pair[1][i] - acc.b]} END).l AS diff
      WITH asset, n_in, n_out, positive,
           [p IN padded + [reduce(s = '', x IN reverse(diff) |
                                  s + right('00000000' + toString(x), 9))] |
             reduce(s = p, k IN range(1, 98) |
               CASE WHEN s STARTS WITH '0' AND size(s) > 1 THEN substring(s, 1) ELSE s END)]
             AS text
      OPTIONAL MATCH (tok:Token {address: asset})
      WITH asset, n_in, n_out, positive, text, tok ORDER BY asset = 'ETH' DESC, asset
      RETURN collect({asset: asset, symbol: CASE WHEN asset = 'ETH' THEN 'ETH' ELSE tok.symbol END,
                      decimals: CASE WHEN asset = 'ETH' THEN 18 ELSE tok.decimals END,
                      received: text[0], sent: text[1],
                      balance: CASE WHEN positive OR text[2] = '0' THEN text[2]
                                    ELSE '-' + text[2] END,
                      transfers_in: n_in, transfers_out: n_out}) AS balances
    }
    RETURN tx_count, first_height, last_height, balances
  }
  CALL (a) {
    MATCH (a)<-[:TAGS]-(g:Tag)
    WITH g ORDER BY g.confidence DESC, g.label
    RETURN collect({label: g.label, category: g.category, source: g.source,
                    confidence: g.confidence, abuse: g.abuse}) AS tags
  }
  WITH a, tx_count, first_height, last_height, balances, tags,
       [b IN balances WHERE b.asset = 'ETH'][0] AS eth
  RETURN a.address AS address, null AS script_type, coalesce(eth.received, '0') AS received,
         coalesce(eth.sent, '0') AS sent, coalesce(eth.balance, '0') AS balance,
         null AS output_count, first_height, last_height, tx_count, a.kind AS kind,
         CASE WHEN a:Token THEN {symbol: a.symbol, name: a.name, decimals: a.decimals} END
           AS token,
         balances, null AS cluster_id, null AS cluster_size, tags
}
RETURN address, script_type, received, sent, balance, output_count, first_height,
       last_height, tx_count, kind, token, balances, cluster_id, cluster_size, tags
