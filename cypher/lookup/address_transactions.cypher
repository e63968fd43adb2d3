// @description The transactions that paid or spent an address, oldest first (by height, then
//   position in the block, then txid; unknown heights last), a page at a time, with what the
//   address received in each and sent in each (satoshi). Stale blocks are left out as in
//   lookup/address, so the whole list is its tx_count transactions and the received and sent
//   columns add up to its totals. A transaction known only as the creator of a prevout (not
//   loaded itself) is listed with the prevout's height and no block. total is the length of
//   the whole list (on every row).
// @mode read
// @param address ADDRESS  address string (P2PK outputs count for the P2PKH address of their key)
// @param skip INTEGER = 0  transactions to skip (paging)
// @param limit INTEGER = 100  transactions to return at most
// @columns txid, height, time, block_hash, index, received, sent, total
// @bounds every output of the address and one spender each, sorted (a very busy address is stopped by the transaction timeout); $limit rows
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
  UNWIND [{txid: o.txid, t: ct, height: coalesce(ct.height, o.prevout_height),
           received: o.value, sent: 0}] +
         CASE WHEN st IS NULL THEN [] ELSE [{txid: st.txid, t: st, height: st.height,
                                              received: 0, sent: o.value}] END AS e
  RETURN e.txid AS txid, e.t AS t, e.height AS h, e.received AS r, e.sent AS s
}
WITH txid, head(collect(t)) AS t, max(h) AS height, sum(r) AS received, sum(s) AS sent
OPTIONAL MATCH (t)-[ib:IN_BLOCK]->(:Block {hash: t.block_hash})
WITH txid, t, height, received, sent, min(ib.index) AS index
ORDER BY height, index, txid
WITH collect({txid: txid, height: height, time: t.time, block_hash: t.block_hash,
              index: index, received: received, sent: sent}) AS txs
UNWIND txs[$skip..$skip + $limit] AS x
RETURN x.txid AS txid, x.height AS height, x.time AS time, x.block_hash AS block_hash,
       x.index AS index, x.received AS received, x.sent AS sent, size(txs) AS total
