// @description The own tags of several addresses at once (the API's DataLoader), on Bitcoin
//   (the default) or Ethereum (accounts, lower-case 0x addresses), highest confidence first.
// @mode read
// @param addresses LIST<ADDRESS>  address strings
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @columns address, tags
// @bounds the given addresses and their tags
CALL () {
  WITH $chain AS chain WHERE chain = 'bitcoin'
  UNWIND $addresses AS x
  MATCH (:Address {address: x})<-[:TAGS]-(g:Tag)
  RETURN x, g
  UNION ALL
  WITH $chain AS chain WHERE chain = 'ethereum'
  UNWIND $addresses AS x
  MATCH (:Account {address: toLower(x)})<-[:TAGS]-(g:Tag)
  RETURN x, g
}
WITH x, g ORDER BY g.confidence DESC, g.label
RETURN x AS address,
       collect({label: g.label, category: g.category, source: g.source,
                confidence: g.confidence, abuse: g.abuse}) AS tags
