// @description The transactions of one Ethereum block in block order, a page at a time: hash,
//   position, sender, recipient (null for a contract creation, whose address is
//   contract_address), value and fee paid (wei, exact decimal strings), status (1, 0, or null
//   when unknown) and gas used. No rows for a block not loaded or a page past its end.
// @mode read
// @param number INTEGER  the block number
// @param skip INTEGER = 0  transactions to skip (paging)
// @param limit INTEGER = 100  transactions to return at most
// @columns index, txid, from, to, contract_address, value, fee_paid, status, gas_used
// @bounds one block; $limit of its transactions
// @example :param number => 17173049
MATCH (:EthBlock {number: $number})<-[:IN_BLOCK]-(t:EthTransaction)
WITH t ORDER BY t.tx_index SKIP $skip LIMIT $limit
RETURN t.tx_index AS index, t.hash AS txid, t.`from` AS `from`, t.`to` AS `to`,
       t.contract_address AS contract_address, t.value AS value, t.fee_paid AS fee_paid,
       t.status AS status, t.gas_used AS gas_used
