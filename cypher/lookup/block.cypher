// @description One block by hash, or by height (a block of the main chain, or of a detached
//   stretch, at that height), with its counts and value sums in satoshi. fee_total is null
//   while any input of the block is unresolved (its spent output not loaded).
// @mode read
// @param hash HASH = null  block hash, 64 hex digits in display order
// @param height INTEGER = null  block height; used when hash is null
// @columns hash, height, time, tx_count, input_count, output_count, output_value, fee_total, status, prev_hash, version, merkle_root, bits, nonce, size, weight, coinbase_value, inputs_resolved, first_txid, last_txid
// @bounds one block (two with a detached stretch at the same height); its inputs once
// @example :param hash => '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048'
OPTIONAL MATCH (bh:Block {hash: $hash})
OPTIONAL MATCH (bt:Block {height: $height})
  WHERE $hash IS NULL AND bt.status <> 'stale'
WITH coalesce(bh, bt) AS b
WHERE b IS NOT NULL
CALL (b) {
  OPTIONAL MATCH (b)<-[:IN_BLOCK]-(:Transaction)<-[:SPENT_BY]-(i:Output)
  RETURN count(i.value) AS inputs_resolved, sum(i.value) AS input_value
}
CALL (b) {
  MATCH (b)<-[r:IN_BLOCK]-(t:Transaction)
  WHERE r.index = 0 OR r.index = b.tx_count - 1
  WITH t, r ORDER BY r.index
  RETURN collect(t.txid) AS ends
}
RETURN b.hash AS hash, b.height AS height, b.time AS time, b.tx_count AS tx_count,
       b.input_count AS input_count, b.output_count AS output_count,
       b.output_value AS output_value,
       CASE WHEN inputs_resolved = b.input_count
            THEN input_value - (b.output_value - b.coinbase_value) END AS fee_total,
       b.status AS status, b.prev_hash AS prev_hash, b.version AS version,
       b.merkle_root AS merkle_root, b.bits AS bits, b.nonce AS nonce, b.size AS size,
       b.weight AS weight, b.coinbase_value AS coinbase_value, inputs_resolved,
       ends[0] AS first_txid, ends[-1] AS last_txid
ORDER BY hash
