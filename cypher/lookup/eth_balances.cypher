// @description An Ethereum account's balance per asset (ETH in wei, each token in its units),
//   summed exactly from its transfers: each transfer carries its amount as nine base-10^9
//   limbs; the limbs are summed position by position (no 64-bit overflow below 9 * 10^9
//   transfers), carried, and the sent total subtracted from the received one with borrows.
//   Amounts are exact decimal strings. With fees (the default) the ETH balance is what the
//   node's eth_getBalance says, for the blocks loaded from the first one the account
//   appears in (with traces, rewards and withdrawals). The zero address is the protocol's
//   (issuance out, burnt fees in): its balance is negative.
// @mode read
// @param address ADDRESS  0x address, any case
// @param include_fees BOOLEAN = true  count fee transfers (gas paid; priority fees received)
// @param asset STRING = null  only this asset ('ETH' or a token contract address)
// @columns address, asset, symbol, decimals, received, sent, balance, transfers_in, transfers_out
// @bounds one account and its transfers
// @example :param address => '0x9df428a91ff0f3635c8f0ce752933b9788926804'
MATCH (a:Account {address: toLower($address)})
CALL (a) {
  MATCH (a)<-[t:TRANSFER]-()
  WHERE ($include_fees OR t.kind <> 'fee') AND ($asset IS NULL OR t.asset IN [$asset, toLower($asset)])
  RETURN t.asset AS asset, t.limbs AS limbs, 1 AS dir
  UNION ALL
  MATCH (a)-[t:TRANSFER]->()
  WHERE ($include_fees OR t.kind <> 'fee') AND ($asset IS NULL OR t.asset IN [$asset, toLower($asset)])
  RETURN t.asset AS asset, t.limbs AS limbs, -1 AS dir
}
WITH a, asset, collect(CASE WHEN dir = 1 THEN limbs END) AS ins,
     collect(CASE WHEN dir = -1 THEN limbs END) AS outs
// Per-position sums over 11 positions (two spare for the carries), then carried to base 10^9.
WITH a, asset, size(ins) AS n_in, size(outs) AS n_out,
     [ls IN [ins, outs] |
       reduce(acc = {c: 0, l: []}, i IN range(0, 10) |
         {c: (acc.c + reduce(s = 0, l IN ls | s + coalesce(l[i], 0))) / 1000000000,
          l: acc.l + [(acc.c + reduce(s = 0, l IN ls | s + coalesce(l[i], 0))) % 1000000000]}
       ).l] AS totals
WITH a, asset, n_in, n_out, totals[0] AS rin, totals[1] AS rout,
     [t IN totals | reduce(s = '', x IN reverse(t) | s + right('00000000' + toString(x), 9))]
       AS padded
// Equal-length digit strings compare as numbers: subtract the smaller from the larger.
WITH a, asset, n_in, n_out, padded, padded[0] >= padded[1] AS positive,
     CASE WHEN padded[0] >= padded[1] THEN [rin, rout] ELSE [rout, rin] END AS pair
WITH a, asset, n_in, n_out, padded, positive,
     reduce(acc = {b: 0, l: []}, i IN range(0, 10) |
       CASE WHEN pair[0][i] - pair[1][i] - acc.b < 0
            THEN {b: 1, l: acc.l + [pair[0][i] - pair[1][i] - acc.b + 1000000000]}
            ELSE {b: 0, l: acc.l + [pair[0][i] - pair[1][i] - acc.b]} END).l AS diff
WITH a, asset, n_in, n_out, positive,
     [p IN padded + [reduce(s = '', x IN reverse(diff) | s + right('00000000' + toString(x), 9))] |
       reduce(s = p, k IN range(1, 98) |
         CASE WHEN s STARTS WITH '0' AND size(s) > 1 THEN substring(s, 1) ELSE s END)] AS text
OPTIONAL MATCH (tok:Token {address: asset})
RETURN a.address AS address, asset, tok.symbol AS symbol,
       CASE WHEN asset = 'ETH' THEN 18 ELSE tok.decimals END AS decimals,
       text[0] AS received, text[1] AS sent,
       CASE WHEN positive OR text[2] = '0' THEN text[2] ELSE '-' + text[2] END AS balance,
       n_in AS transfers_in, n_out AS transfers_out
ORDER BY asset = 'ETH' DESC, asset
