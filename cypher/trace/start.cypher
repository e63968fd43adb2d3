// @description Where a trace starts: the outputs of an address, of a transaction, or one output,
//   the largest first (an exchange's address can have millions: the limit keeps the biggest).
// @mode read
// @param start STRING  an address, a txid, or an output as 'txid:vout'
// @param kind STRING  what start is: 'address', 'txid' or 'output'
// @param limit INTEGER = 10000  outputs to return at most (one more is read to tell "truncated")
// @columns output, address, value
// @bounds $limit + 1 outputs of one address or transaction
// @example :param start => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
CALL () {
  OPTIONAL MATCH (:Address {address: $start})<-[:LOCKED_TO]-(o:Output)
  WITH o WHERE $kind = 'address' AND o IS NOT NULL
  RETURN o
  UNION
  OPTIONAL MATCH (:Transaction {txid: $start})-[:CREATES]->(o:Output)
  WITH o WHERE $kind = 'txid' AND o IS NOT NULL
  RETURN o
  UNION
  OPTIONAL MATCH (o:Output {id: $start})
  WITH o WHERE $kind = 'output' AND o IS NOT NULL
  RETURN o
}
WITH o ORDER BY o.value DESC, o.id
LIMIT $limit + 1
RETURN o.id AS output, o.address AS address, o.value AS value
