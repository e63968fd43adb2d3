// @description One address: what it received and sent (satoshi, stale blocks left out), its
//   balance, how many transactions touched it, and the first and last heights it was used.
//   Outputs known only from prevouts count, with the height the prevout gives.
// @mode read
// @param address ADDRESS  address string (P2PK outputs count for the P2PKH address of their key)
// @columns address, script_type, received, sent, balance, tx_count, first_height, last_height, output_count, unspent_count
// @bounds one address and its outputs, one spender per output
// @example :param address => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
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
       unspent_count
