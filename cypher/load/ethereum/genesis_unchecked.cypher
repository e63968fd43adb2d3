// @description Which accounts still need their genesis allocation checked at the node: of the
//   given addresses, those not in the graph or not marked `genesis_checked`; without
//   addresses (null), every account in the graph not marked (a scan, once: the run that
//   first loads block 0).
// @mode read
// @param addresses LIST<STRING> = null  lower-case addresses; null: every account
// @columns address
// @bounds one index lookup per given address; without them every Account node
CALL () {
  WITH $addresses AS xs WHERE xs IS NOT NULL
  UNWIND xs AS x
  OPTIONAL MATCH (a:Account {address: x})
  WITH x, a WHERE a IS NULL OR a.genesis_checked IS NULL
  RETURN x AS address
  UNION
  WITH $addresses AS xs WHERE xs IS NULL
  MATCH (a:Account) WHERE a.genesis_checked IS NULL
  RETURN a.address AS address
}
RETURN address ORDER BY address
