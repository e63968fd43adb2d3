// @description One address, on Bitcoin (the default) or Ethereum. Bitcoin: what it received
//   and sent (satoshi, stale blocks left out), its balance, how many transactions touched it,
//   and the first and last heights it was used; outputs known only from prevouts count, with
//   the height the prevout gives. Ethereum: the account's balance per asset (ETH in wei, each
//   token in its units, with the token's symbol and decimals when known), summed exactly from
//   its transfers: each transfer carries its amount as nine base-10^9 limbs, summed position by
//   position (no 64-bit overflow below 9 * 10^9 transfers), carried, and the sent total
//   subtracted from the received one with borrows; amounts are exact decimal strings.
//   received, sent and balance are the ETH ones; tx_count counts the transactions that moved
//   value to or from it (with fees: that it paid gas for, or whose tip it received as the
//   miner), first_height and last_height the blocks of the first and last of them. Fees are
//   properties of the transaction (fee_paid by its sender, tip to its miner: one event each
//   in transfers_out / transfers_in), not transfers. With fees (the default) the ETH balance
//   is the node's eth_getBalance, for the blocks loaded (with the genesis allocation when
//   block 0 is); burnt base fees reach no account; the zero address is the protocol's
//   (issuance out): its balance is negative. kind is eoa, contract
//   or null; token is the account's own {symbol, name, decimals} when it is a token contract.
//   Columns of the other chain are null.
// @mode read
// @param address ADDRESS  address string (Bitcoin: P2PK outputs count for the P2PKH address of their key; Ethereum: 0x, any case)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @param include_fees BOOLEAN = true  Ethereum: count fees (gas paid as sender; tips received as miner)
// @param asset STRING = null  Ethereum: only this asset ('ETH' or a token contract address)
// @columns address, script_type, received, sent, balance, tx_count, first_height, last_height, output_count, unspent_count, kind, token, balances
// @bounds one address and its outputs, one spender per output (Bitcoin); one account, its transfers in and out and the transactions it sent or mined (two index seeks), read once for counts and balances (Ethereum)
// @example :param address => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
CALL () {
  WITH $chain AS chain WHERE chain = 'bitcoin'
  MATCH (a:Address {address: $address})
  CALL (a) {
    MATCH (a)<-[:LOCKED_TO]-(o:Output)
    OPTIONAL MATCH (o)<-[:CREATES]-(ct:Transaction)
    WITH o, ct WHERE ct IS NULL OR NOT coalesce(ct.stale, false)
    CALL (o) {
      OPTIONAL MATCH (o)-[:SPENT_BY]->(st:Transaction)
      WHERE NOT coalesce(st.stale, false)
      RETURN st ORDER BY st.txid LIMIT 1
    }
    RETURN sum(o.value) AS received,
           sum(CASE WHEN st IS NULL THEN 0 ELSE o.value END) AS sent,
           count(o) AS output_count,
           count(o) - count(st) AS unspent_count,
           collect(o.txid) + collect(st.txid) AS txids,
           collect(coalesce(ct.height, o.prevout_height)) + collect(st.height) AS heights
  }
  CALL (txids) {
    UNWIND txids AS x
    RETURN count(DISTINCT x) AS tx_count
  }
  CALL (heights) {
    UNWIND heights AS h
    RETURN min(h) AS first_height, max(h) AS last_height
  }
  RETURN a.address AS address, a.script_type AS script_type, received, sent,
         received - sent AS balance, tx_count, first_height, last_height, output_count,
         unspent_count, null AS kind, null AS token, null AS balances
  UNION ALL
  WITH $chain AS chain WHERE chain = 'ethereum'
  MATCH (a:Account {address: toLower($address)})
  CALL (a) {
    CALL (a) {
      MATCH (a)<-[t:TRANSFER]-()
      WHERE $asset IS NULL OR t.asset = CASE WHEN toUpper($asset) = 'ETH' THEN 'ETH'
                                             ELSE toLower($asset) END
      RETURN t.asset AS asset, t.limbs AS limbs, 1 AS dir, t.tx_hash AS tx, t.block AS block
      UNION ALL
      MATCH (a)-[t:TRANSFER]->()
      WHERE $asset IS NULL OR t.asset = CASE WHEN toUpper($asset) = 'ETH' THEN 'ETH'
                                             ELSE toLower($asset) END
      RETURN t.asset AS asset, t.limbs AS limbs, -1 AS dir, t.tx_hash AS tx, t.block AS block
      UNION ALL
      // Fees are on the transaction: tips received as a miner, gas paid as a sender.
      MATCH (x:EthTransaction) WHERE x.miner = a.address AND x.seq >= 0
      WITH x WHERE $include_fees AND x.tip <> '0' AND ($asset IS NULL OR toUpper($asset) = 'ETH')
      RETURN 'ETH' AS asset, x.tip_limbs AS limbs, 1 AS dir, x.hash AS tx,
             x.block_number AS block
      UNION ALL
      MATCH (x:EthTransaction) WHERE x.`from` = a.address AND x.seq >= 0
      WITH x WHERE $include_fees AND x.fee_paid <> '0'
        AND ($asset IS NULL OR toUpper($asset) = 'ETH')
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
      // Per-position sums over 11 positions (two spare for the carries), carried to base 10^9.
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
      // Equal-length digit strings compare as numbers: subtract the smaller from the larger.
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
  WITH a, tx_count, first_height, last_height, balances,
       [b IN balances WHERE b.asset = 'ETH'][0] AS eth,
       $asset IS NULL OR toUpper($asset) = 'ETH' AS with_eth
  RETURN a.address AS address, null AS script_type,
         CASE WHEN with_eth THEN coalesce(eth.received, '0') END AS received,
         CASE WHEN with_eth THEN coalesce(eth.sent, '0') END AS sent,
         CASE WHEN with_eth THEN coalesce(eth.balance, '0') END AS balance,
         tx_count, first_height, last_height, null AS output_count, null AS unspent_count,
         a.kind AS kind,
         CASE WHEN a:Token THEN {symbol: a.symbol, name: a.name, decimals: a.decimals} END
           AS token,
         balances
}
RETURN address, script_type, received, sent, balance, tx_count, first_height, last_height,
       output_count, unspent_count, kind, token, balances
