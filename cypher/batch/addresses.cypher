// @description Several addresses at once (the API's DataLoader): for each one found, what it
//   received and sent (satoshi, stale blocks left out), its balance, output count and the first
//   and last heights it was used; addresses not in the graph give no row.
// @mode read
// @param addresses LIST<STRING>  address strings
// @columns address, script_type, received, sent, balance, output_count, first_height, last_height
// @bounds the given addresses and their outputs, one spender per output
// @example :param addresses => ['12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S']
UNWIND $addresses AS x
MATCH (a:Address {address: x})
CALL (a) {
  OPTIONAL MATCH (a)<-[:LOCKED_TO]-(o:Output)
  OPTIONAL MATCH (o)<-[:CREATES]-(ct:Transaction)
  WITH o, ct WHERE o IS NULL OR ct IS NULL OR NOT coalesce(ct.stale, false)
  CALL (o) {
    OPTIONAL MATCH (o)-[:SPENT_BY]->(st:Transaction)
    WHERE NOT coalesce(st.stale, false)
    RETURN st ORDER BY st.txid LIMIT 1
  }
  RETURN coalesce(sum(o.value), 0) AS received,
         coalesce(sum(CASE WHEN st IS NULL THEN 0 ELSE o.value END), 0) AS sent,
         count(o) AS output_count,
         min(coalesce(ct.height, o.prevout_height)) AS first_created,
         max(coalesce(st.height, ct.height, o.prevout_height)) AS last_used
}
RETURN a.address AS address, a.script_type AS script_type, received, sent,
       received - sent AS balance, output_count, first_created AS first_height,
       last_used AS last_height
