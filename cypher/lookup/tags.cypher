// @description The attribution tags of an address, on Bitcoin (the default) or Ethereum: its
//   own (inherited false, via_address the address itself) and, on Bitcoin, when it is in a
//   cluster, those of the other members of its cluster (inherited true, via_address the member
//   that carries the tag: the evidence). Own tags come first, then by confidence (highest
//   first), label and via_address. An Ethereum account (no clusters: own tags only) may be
//   given in any case; addresses are stored lower-case.
// @mode read
// @param address ADDRESS  a Bitcoin address, or an Ethereum 0x address
// @param limit INTEGER = 100  inherited tags to return at most (own tags are all returned)
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @columns label, category, abuse, confidence, source, inherited, via_address, confidence_name, currency, id
// @bounds the address's own tags; the tagged members of its cluster, at most $limit inherited tags
// @example :param address => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
CALL () {
  WITH $chain AS chain WHERE chain = 'bitcoin'
  MATCH (a:Address {address: $address})
  CALL (a) {
    MATCH (t:Tag)-[:TAGS]->(a)
    RETURN t, false AS inherited, a.address AS via_address
    UNION
    MATCH (a)-[:IN_CLUSTER]->(:Cluster)<-[:IN_CLUSTER]-(m:Address)<-[:TAGS]-(t:Tag)
    WHERE m <> a
    WITH t, m ORDER BY t.confidence DESC, t.label, m.address, t.source, t.id LIMIT $limit
    RETURN t, true AS inherited, m.address AS via_address
  }
  RETURN t, inherited, via_address
  UNION ALL
  WITH $chain AS chain WHERE chain = 'ethereum'
  MATCH (t:Tag)-[:TAGS]->(a:Account {address: toLower($address)})
  RETURN t, false AS inherited, a.address AS via_address
}
RETURN t.label AS label, t.category AS category, t.abuse AS abuse,
       t.confidence AS confidence, t.source AS source, inherited, via_address,
       t.confidence_name AS confidence_name, t.currency AS currency, t.id AS id
ORDER BY inherited, confidence DESC, label, via_address, source, id
