// @description One block by hash, or by height, on Bitcoin (the default) or Ethereum.
//   Bitcoin: a block of the main chain, or of a detached stretch, at that height, with its
//   counts and value sums in satoshi; fee_total is null while any input of the block is
//   unresolved (its spent output not loaded). Ethereum: the block of that number;
//   output_value sums the value fields of all its transactions (a failed one's too, though it
//   moved nothing), in wei as an exact decimal string (amounts exceed 64-bit integers);
//   token_transfer_count counts its ERC-20 transfers; prev_hash is the parent hash; parts are
//   the kinds of source it was loaded from. Columns of the other chain are null.
// @mode read
// @param hash HASH = null  block hash, 64 hex digits (Bitcoin: display order; Ethereum: with 0x)
// @param height INTEGER = null  block height (Ethereum: number); used when hash is null
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @columns hash, height, time, tx_count, input_count, output_count, output_value, fee_total, status, prev_hash, version, merkle_root, bits, nonce, size, weight, coinbase_value, inputs_resolved, first_txid, last_txid, token_transfer_count, miner, base_fee_per_gas, gas_used, withdrawal_count, parts
// @bounds one block (two with a detached stretch at the same height); its inputs once (Bitcoin); one index lookup and its first and last transactions (Ethereum)
// @example :param hash => '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048'
CALL () {
  WITH $chain AS chain WHERE chain = 'bitcoin'
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
         ends[0] AS first_txid, ends[-1] AS last_txid, null AS token_transfer_count,
         null AS miner, null AS base_fee_per_gas, null AS gas_used, null AS withdrawal_count,
         null AS parts
  UNION ALL
  WITH $chain AS chain WHERE chain = 'ethereum'
  OPTIONAL MATCH (bh:EthBlock {hash: toLower($hash)})
  OPTIONAL MATCH (bn:EthBlock {number: $height})
    WHERE $hash IS NULL
  WITH coalesce(bh, bn) AS b
  WHERE b IS NOT NULL
  CALL (b) {
    OPTIONAL MATCH (b)<-[:IN_BLOCK]-(t:EthTransaction)
    WHERE t.tx_index = 0 OR t.tx_index = b.tx_count - 1
    WITH t ORDER BY t.tx_index
    RETURN collect(t.hash) AS ends
  }
  RETURN b.hash AS hash, b.number AS height, b.time AS time, b.tx_count AS tx_count,
         null AS input_count, null AS output_count, b.output_value AS output_value,
         null AS fee_total, null AS status, b.parent_hash AS prev_hash, null AS version,
         null AS merkle_root, null AS bits, null AS nonce, null AS size, null AS weight,
         null AS coinbase_value, null AS inputs_resolved, ends[0] AS first_txid,
         ends[-1] AS last_txid, b.token_transfer_count AS token_transfer_count,
         b.miner AS miner, b.base_fee_per_gas AS base_fee_per_gas, b.gas_used AS gas_used,
         b.withdrawal_count AS withdrawal_count, b.parts AS parts
}
RETURN hash, height, time, tx_count, input_count, output_count, output_value, fee_total,
       status, prev_hash, version, merkle_root, bits, nonce, size, weight, coinbase_value,
       inputs_resolved, first_txid, last_txid, token_transfer_count, miner, base_fee_per_gas,
       gas_used, withdrawal_count, parts
ORDER BY hash
