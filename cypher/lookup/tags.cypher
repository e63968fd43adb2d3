// @description The attribution tags of an address: its own (inherited false, via_address the
//   address itself) and, when it is in a cluster, those of the other members of its cluster
//   (inherited true, via_address the member that carries the tag: the evidence). Own tags come
//   first, then by confidence (highest first), label and via_address. An Ethereum address may
//   be given in any case (they are stored lowercased).
// @mode read
// @param address ADDRESS  a Bitcoin address, or an Ethereum 0x address
// @param limit INTEGER = 100  inherited tags to return at most (own tags are all returned)
// @columns label, category, abuse, confidence, source, inherited, via_address, confidence_name, currency, id
// @bounds the address's own tags; the tagged members of its cluster, at most $limit inherited tags
// @example :param address => '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'
WITH CASE WHEN $address STARTS WITH '0x' OR $address STARTS WITH '0X'
          THEN toLower($address) ELSE $address END AS wanted
MATCH (a:Address {address: wanted})
CALL (a) {
  MATCH (t:Tag)-[:TAGS]->(a)
  RETURN t, false AS inherited, a.address AS via_address
  UNION
  MATCH (a)-[:IN_CLUSTER]->(:Cluster)<-[:IN_CLUSTER]-(m:Address)<-[:TAGS]-(t:Tag)
  WHERE m <> a
  WITH t, m ORDER BY t.confidence DESC, t.label, m.address, t.source, t.id LIMIT $limit
  RETURN t, true AS inherited, m.address AS via_address
}
RETURN t.label AS label, t.category AS category, t.abuse AS abuse,
       t.confidence AS confidence, t.source AS source, inherited, via_address,
       t.confidence_name AS confidence_name, t.currency AS currency, t.id AS id
ORDER BY inherited, confidence DESC, label, via_address, source, id
