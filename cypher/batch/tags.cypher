// @description The own tags of several addresses at once (the API's DataLoader), highest
//   confidence first.
// @mode read
// @param addresses LIST<STRING>  address strings
// @columns address, tags
// @bounds the given addresses and their tags
UNWIND $addresses AS x
MATCH (:Address {address: x})<-[:TAGS]-(g:Tag)
WITH x, g ORDER BY g.confidence DESC, g.label
RETURN x AS address,
       collect({label: g.label, category: g.category, source: g.source,
                confidence: g.confidence, abuse: g.abuse}) AS tags
