// @description One Ethereum block by hash, or by number, with its counts and the value its
//   transactions carry (wei, exact decimal string: amounts exceed 64-bit integers).
//   output_value sums the value fields of all the block's transactions (a failed one's too,
//   though it moved nothing); parts are the kinds of source it was loaded from.
// @mode read
// @param hash STRING = null  block hash, 0x and 64 hex digits
// @param number INTEGER = null  block number; used when hash is null
// @columns hash, height, time, tx_count, output_value, token_transfer_count, miner, parent_hash, base_fee_per_gas, gas_used, withdrawal_count, parts
// @bounds one block (one index lookup)
// @example :param hash => '0x246edb4b351d93c27926f4649bcf6c24366e2a7c7c718dc9158eea20c03bc6ae'
OPTIONAL MATCH (bh:EthBlock {hash: toLower($hash)})
OPTIONAL MATCH (bn:EthBlock {number: $number})
  WHERE $hash IS NULL
WITH coalesce(bh, bn) AS b
WHERE b IS NOT NULL
RETURN b.hash AS hash, b.number AS height, b.time AS time, b.tx_count AS tx_count,
       b.output_value AS output_value, b.token_transfer_count AS token_transfer_count,
       b.miner AS miner, b.parent_hash AS parent_hash, b.base_fee_per_gas AS base_fee_per_gas,
       b.gas_used AS gas_used, b.withdrawal_count AS withdrawal_count, b.parts AS parts
