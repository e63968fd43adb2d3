// @description One Ethereum transaction by hash, with its block and every value transfer it
//   made (native, internal, ERC-20, fee), ordered by kind and id. Amounts in wei or token
//   units, exact decimal strings. Transfer ids start with the transaction hash, so the unique
//   index on the id finds them all with one prefix seek.
// @mode read
// @param hash STRING  transaction hash, 0x and 64 hex digits
// @columns hash, block_number, block_hash, tx_index, time, status, from, to, value, nonce, gas, gas_price, gas_used, effective_gas_price, fee, type, contract_address, transfers
// @bounds one transaction and its transfers (one index prefix seek)
// @example :param hash => '0x463d53f0ad57677a3b430a007c1c31d15d62c37fab5eee598551697c297c235c'
MATCH (t:EthTransaction {hash: toLower($hash)})
CALL (t) {
  OPTIONAL MATCH (a:Account)-[x:TRANSFER]->(b:Account)
  WHERE x.id STARTS WITH t.hash
  WITH x, a, b ORDER BY x.kind, x.id
  RETURN collect(CASE WHEN x IS NOT NULL THEN
                   {id: x.id, kind: x.kind, asset: x.asset, `from`: a.address,
                    `to`: b.address, value: x.value} END) AS transfers
}
RETURN t.hash AS hash, t.block_number AS block_number, t.block_hash AS block_hash,
       t.tx_index AS tx_index, t.time AS time, t.status AS status, t.`from` AS `from`,
       t.`to` AS `to`, t.value AS value, t.nonce AS nonce, t.gas AS gas,
       t.gas_price AS gas_price, t.gas_used AS gas_used,
       t.effective_gas_price AS effective_gas_price, t.fee AS fee, t.type AS type,
       t.contract_address AS contract_address, transfers
