// @description Where taint starts: each source resolved to the outputs it names, with their
//   values. A source is one output ('output', key 'txid:n'), every output of a transaction
//   ('txid'), every output paying an address ('address'), or every output paying a member of a
//   cluster ('cluster', key the cluster id; an address in no cluster is its own cluster).
//   Outputs created only by stale transactions are left out. `spent`: some non-stale
//   transaction spends the output. chaintrail's taint (analysis/taint.py) starts from these.
// @mode read
// @param sources LIST<MAP>  [{source, kind, key}]: kind is 'output', 'txid', 'address' or 'cluster'
// @param limit INTEGER = 10000  outputs per source at most (one more is read to tell "truncated")
// @columns source, output, value, address, spent
// @bounds $limit + 1 outputs per source (a cluster's members are all read, its outputs cut)
// @example :param sources => [{source: '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S', kind: 'address', key: '12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S'}]
UNWIND $sources AS s
CALL (s) {
  CALL (s) {
    WITH s WHERE s.kind = 'output'
    MATCH (o:Output {id: s.key})
    RETURN o
    UNION
    WITH s WHERE s.kind = 'txid'
    MATCH (:Transaction {txid: s.key})-[:CREATES]->(o:Output)
    RETURN o
    UNION
    WITH s WHERE s.kind = 'address'
    MATCH (:Address {address: s.key})<-[:LOCKED_TO]-(o:Output)
    RETURN o
    UNION
    WITH s WHERE s.kind = 'cluster'
    MATCH (:Cluster {id: s.key})<-[:IN_CLUSTER]-(:Address)<-[:LOCKED_TO]-(o:Output)
    RETURN o
    UNION
    WITH s WHERE s.kind = 'cluster'
    MATCH (a:Address {address: s.key})<-[:LOCKED_TO]-(o:Output)
    WHERE NOT EXISTS { (a)-[:IN_CLUSTER]->() }
    RETURN o
  }
  WITH o WHERE NOT EXISTS { (o)<-[:CREATES]-(:Transaction {stale: true}) }
  RETURN o ORDER BY o.id
  LIMIT $limit + 1
}
RETURN s.source AS source, o.id AS output, o.value AS value, o.address AS address,
       EXISTS { (o)-[:SPENT_BY]->(x:Transaction) WHERE NOT coalesce(x.stale, false) } AS spent
