// @description Find things by the start of their name, on both chains: Bitcoin addresses,
//   transactions (txid) and blocks (hash); Ethereum accounts (kind account), transactions
//   (eth_transaction) and blocks (eth_block) by their 0x id, any case; and tags (label,
//   case-insensitive) with the address or account they tag. At most `limit` of each kind, in
//   name order. label is a short description (an address's script type or an account's kind,
//   the height of a transaction or block as text, a tag's label); a tag's id is the address
//   it tags (Ethereum's lower-case).
// @mode read
// @param text STRING  the prefix (at least 4 characters for ids; any for tag labels)
// @param limit INTEGER = 10  results per kind at most
// @columns kind, id, label, height, category
// @bounds index range scans on the unique keys and on tag labels in lower case (label_lower); LIMIT per kind
// @example :param text => '12cbQ'
CALL () {
  MATCH (a:Address) WHERE size($text) >= 4 AND a.address STARTS WITH $text
  WITH a ORDER BY a.address LIMIT $limit
  RETURN 'address' AS kind, a.address AS id, a.script_type AS label, null AS height,
         null AS category
  UNION ALL
  MATCH (t:Transaction) WHERE size($text) >= 4 AND t.txid STARTS WITH toLower($text)
  WITH t ORDER BY t.txid LIMIT $limit
  RETURN 'transaction' AS kind, t.txid AS id, toString(t.height) AS label, t.height AS height,
         null AS category
  UNION ALL
  MATCH (b:Block) WHERE size($text) >= 4 AND b.hash STARTS WITH toLower($text)
  WITH b ORDER BY b.hash LIMIT $limit
  RETURN 'block' AS kind, b.hash AS id, toString(b.height) AS label, b.height AS height,
         null AS category
  UNION ALL
  MATCH (a:Account) WHERE size($text) >= 4 AND a.address STARTS WITH toLower($text)
  WITH a ORDER BY a.address LIMIT $limit
  RETURN 'account' AS kind, a.address AS id, a.kind AS label, null AS height,
         null AS category
  UNION ALL
  MATCH (t:EthTransaction) WHERE size($text) >= 4 AND t.hash STARTS WITH toLower($text)
  WITH t ORDER BY t.hash LIMIT $limit
  RETURN 'eth_transaction' AS kind, t.hash AS id, toString(t.block_number) AS label,
         t.block_number AS height, null AS category
  UNION ALL
  MATCH (b:EthBlock) WHERE size($text) >= 4 AND b.hash STARTS WITH toLower($text)
  WITH b ORDER BY b.hash LIMIT $limit
  RETURN 'eth_block' AS kind, b.hash AS id, toString(b.number) AS label, b.number AS height,
         null AS category
  UNION ALL
  MATCH (g:Tag) WHERE g.label_lower STARTS WITH toLower($text)
  MATCH (g)-[:TAGS]->(a:Address|Account)
  WITH g, a ORDER BY g.label, a.address LIMIT $limit
  RETURN 'tag' AS kind, a.address AS id, g.label AS label, null AS height,
         g.category AS category
}
RETURN kind, id, label, height, category
