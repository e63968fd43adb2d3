// @description The tag categories of addresses, their cluster's included: an address carries
//   the categories of the tags on any address of its cluster (an address outside every cluster
//   is its own cluster). One row per address that has at least one; `address_categories` are
//   those tagged on the address itself, the rest are inherited. A tag without a category counts
//   as 'uncategorized'. Sorted lists.
//   Ethereum (chain 'ethereum'): accounts; no clusters, so an account's categories are its
//   own tags' and its cluster_id is its address.
// @mode read
// @param addresses LIST<ADDRESS>  the addresses to look up
// @param chain CHAIN = "bitcoin"  bitcoin or ethereum: pasting by hand, set 'ethereum' for 0x addresses and hashes (`chaintrail query` infers it)
// @columns address, cluster_id, categories, address_categories
// @bounds every Tag node once per call (from the tags to their addresses' clusters: a cluster's
//   members are never scanned), keeping only the clusters of the given addresses (a map of all
//   tagged clusters, carried per row, exhausted the transaction memory with 150,000 tags);
//   one cluster hop per address; Ethereum: each account's own tags
// @example :param addresses => ['12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S']
UNWIND CASE WHEN $chain = 'bitcoin' THEN $addresses ELSE [] END AS address
WITH DISTINCT address
MATCH (a:Address {address: address})
OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
WITH collect([a, coalesce(c.id, a.address)]) AS wanted
WITH wanted, apoc.map.fromLists([w IN wanted | w[1]], [w IN wanted | true]) AS want
WHERE size(wanted) > 0
CALL (want) {
  MATCH (g:Tag)-[:TAGS]->(m:Address)
  OPTIONAL MATCH (m)-[:IN_CLUSTER]->(k:Cluster)
  WITH coalesce(k.id, m.address) AS cluster_id, g
  WHERE want[cluster_id]
  WITH DISTINCT cluster_id, coalesce(g.category, 'uncategorized') AS category
  ORDER BY cluster_id, category
  WITH cluster_id, collect(category) AS categories
  RETURN apoc.map.fromPairs(collect([cluster_id, categories])) AS tagged
}
UNWIND wanted AS w
WITH w[0] AS a, w[1] AS cluster_id, tagged[w[1]] AS categories
WHERE categories IS NOT NULL
CALL (a) {
  MATCH (a)<-[:TAGS]-(g:Tag)
  WITH DISTINCT coalesce(g.category, 'uncategorized') AS category ORDER BY category
  RETURN collect(category) AS address_categories
}
RETURN a.address AS address, cluster_id, categories, address_categories
UNION ALL
UNWIND CASE WHEN $chain = 'ethereum' THEN $addresses ELSE [] END AS address
MATCH (a:Account {address: address})<-[:TAGS]-(g:Tag)
WITH a, collect(DISTINCT coalesce(g.category, 'uncategorized')) AS found
WITH a, apoc.coll.sort(found) AS categories
RETURN a.address AS address, a.address AS cluster_id, categories,
       categories AS address_categories
