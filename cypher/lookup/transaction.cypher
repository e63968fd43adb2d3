// @description One transaction, on Bitcoin (the default) or Ethereum. Bitcoin: its inputs
//   (the outputs they spend) and outputs (who spent each); input_value and fee are null while
//   any input is unresolved; a coinbase has no inputs, input_value 0 and fee 0. Ethereum: its
//   fields (amounts and prices in wei, exact decimal strings; output_value is its value) and
//   every value transfer it made (native, internal, ERC-20 with the token's symbol and
//   decimals when known), ordered by kind and id: transfer ids start with the transaction
//   hash, so the unique index on the id finds them all with one prefix seek. Its fee, booked
//   on the transaction, is listed among them: `fee` (id hash:fee, the tip, to the miner) and
//   `burn` (id hash:burn, the burnt base and blob fee, to no account: `to` is null).
//   Columns of the other chain are null.
// @mode read
// @param txid TXID  transaction id, 64 hex digits (Bitcoin: display order; Ethereum: the hash, with 0x)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @columns txid, block_hash, height, input_count, output_count, input_value, output_value, fee, inputs, outputs, is_coinbase, time, version, locktime, size, vsize, weight, stale, tx_index, status, from, to, value, nonce, gas, gas_price, gas_used, effective_gas_price, type, contract_address, transfers
// @bounds one transaction, its inputs and outputs, and one spender per output (Bitcoin); one transaction and its transfers, one index prefix seek (Ethereum)
// @example :param txid => 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16'
CALL () {
  WITH $chain AS chain WHERE chain = 'bitcoin'
  MATCH (t:Transaction {txid: $txid})
  CALL (t) {
    OPTIONAL MATCH (i:Output)-[s:SPENT_BY]->(t)
    WITH i, s ORDER BY s.vin
    RETURN collect(CASE WHEN i IS NOT NULL THEN {prev_txid: i.txid, vout: i.n,
                   address: i.address, value: i.value, script_type: i.script_type} END)
           AS inputs,
           count(i.value) AS resolved, sum(i.value) AS in_value
  }
  CALL (t) {
    OPTIONAL MATCH (t)-[:CREATES]->(o:Output)
    CALL (o) {
      OPTIONAL MATCH (o)-[:SPENT_BY]->(sp:Transaction)
      WITH sp ORDER BY coalesce(sp.stale, false), sp.txid
      RETURN collect(sp.txid)[0] AS spent_by
    }
    WITH o, spent_by ORDER BY o.n
    RETURN collect(CASE WHEN o IS NOT NULL THEN {n: o.n, address: o.address,
                   script_type: o.script_type, value: o.value, spent_by_txid: spent_by} END)
           AS outputs
  }
  WITH t, inputs, outputs,
       CASE WHEN t.is_coinbase THEN 0 WHEN resolved = t.input_count THEN in_value END
         AS input_value
  RETURN t.txid AS txid, t.block_hash AS block_hash, t.height AS height,
         t.input_count AS input_count, t.output_count AS output_count, input_value,
         t.output_value AS output_value,
         CASE WHEN t.is_coinbase THEN 0 ELSE input_value - t.output_value END AS fee,
         inputs, outputs, t.is_coinbase AS is_coinbase, t.time AS time,
         t.version AS version, t.locktime AS locktime, t.size AS size, t.vsize AS vsize,
         t.weight AS weight, coalesce(t.stale, false) AS stale, null AS tx_index,
         null AS status, null AS `from`, null AS `to`, null AS value, null AS nonce,
         null AS gas, null AS gas_price, null AS gas_used, null AS effective_gas_price,
         null AS type, null AS contract_address, null AS transfers
  UNION ALL
  WITH $chain AS chain WHERE chain = 'ethereum'
  MATCH (t:EthTransaction {hash: toLower($txid)})
  CALL (t) {
    CALL (t) {
      MATCH (a:Account)-[x:TRANSFER]->(b:Account)
      WHERE x.id STARTS WITH t.hash
      OPTIONAL MATCH (tok:Token {address: x.asset})
      RETURN x.id AS id, x.kind AS kind, x.asset AS asset, a.address AS sender,
             b.address AS receiver, x.value AS value,
             tok.symbol AS symbol,
             CASE WHEN x.asset = 'ETH' THEN 18 ELSE tok.decimals END AS decimals
      UNION ALL
      // The fee, booked on the transaction: the tip to the miner and the burnt part.
      UNWIND [[':fee', 'fee', t.miner, t.tip], [':burn', 'burn', null, t.burnt]] AS f
      WITH t, f WHERE f[3] IS NOT NULL AND f[3] <> '0'
      RETURN t.hash + f[0] AS id, f[1] AS kind, 'ETH' AS asset, t.`from` AS sender,
             f[2] AS receiver, f[3] AS value, null AS symbol, 18 AS decimals
    }
    WITH id, kind, asset, sender, receiver, value, symbol, decimals ORDER BY kind, id
    RETURN collect({id: id, kind: kind, asset: asset, `from`: sender, `to`: receiver,
                    value: value, symbol: symbol, decimals: decimals}) AS transfers
  }
  RETURN t.hash AS txid, t.block_hash AS block_hash, t.block_number AS height,
         null AS input_count, null AS output_count, null AS input_value,
         t.value AS output_value, t.fee AS fee, null AS inputs, null AS outputs,
         null AS is_coinbase, t.time AS time, null AS version, null AS locktime, null AS size,
         null AS vsize, null AS weight, null AS stale, t.tx_index AS tx_index,
         t.status AS status, t.`from` AS `from`, t.`to` AS `to`, t.value AS value,
         t.nonce AS nonce, t.gas AS gas, t.gas_price AS gas_price, t.gas_used AS gas_used,
         t.effective_gas_price AS effective_gas_price, t.type AS type,
         t.contract_address AS contract_address, transfers
}
RETURN txid, block_hash, height, input_count, output_count, input_value, output_value, fee,
       inputs, outputs, is_coinbase, time, version, locktime, size, vsize, weight, stale,
       tx_index, status, `from`, `to`, value, nonce, gas, gas_price, gas_used,
       effective_gas_price, type, contract_address, transfers
