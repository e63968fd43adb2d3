// @description The transfers into and out of an Ethereum account, oldest first (by seq, that
//   is block then position in it, then transfer id), a page at a time: ETH and tokens, each
//   with its direction ('in', 'out', or 'self' for a transfer to itself), the other account
//   and the exact amount (a decimal string, in wei or the token's base unit). total is the
//   number of transfers in the whole list (on every row); an unknown account has no rows.
// @mode read
// @param address ADDRESS  account address, 0x and 40 hex digits, lower-case (chaintrail query checks an EIP-55 one and lowers it)
// @param asset STRING = null  'ETH', a token contract address (lower-case), or null for every asset
// @param skip INTEGER = 0  transfers to skip (paging)
// @param limit INTEGER = 100  transfers to return at most
// @columns id, direction, counterparty, asset, kind, value, block, tx_index, tx_hash, time, total
// @bounds every transfer of the account is counted and sorted (a very busy account is stopped by the transaction timeout); $limit rows
// @example :param address => '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae'
MATCH (a:Account {address: $address})
CALL (a) {
  MATCH (a)-[t:TRANSFER]-()
  WHERE $asset IS NULL OR t.asset = $asset
  RETURN count(DISTINCT t) AS total
}
CALL (a) {
  MATCH (a)-[t:TRANSFER]-()
  WHERE $asset IS NULL OR t.asset = $asset
  WITH DISTINCT t
  RETURN t ORDER BY t.seq, t.id SKIP $skip LIMIT $limit
}
WITH a, t, total, startNode(t) AS src, endNode(t) AS dst
RETURN t.id AS id,
       CASE WHEN src = dst THEN 'self' WHEN src = a THEN 'out' ELSE 'in' END AS direction,
       CASE WHEN src = a THEN dst.address ELSE src.address END AS counterparty,
       t.asset AS asset, t.kind AS kind, t.value AS value, t.block AS block,
       t.tx_index AS tx_index, t.tx_hash AS tx_hash, t.time AS time, total
ORDER BY t.seq, t.id
