// @description The exports of a case, oldest first, one page at a time.
// @mode read
// @param case_id STRING  the case's id
// @param skip INTEGER = 0  exports to skip (paging)
// @param limit INTEGER = 100  exports to return at most
// @columns format, sha256, size, by, by_key, at
// @bounds $skip + $limit exports of one case
// @example :param case_id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (:Case {id: $case_id})<-[:IN_CASE]-(e:CaseExport)
WITH e ORDER BY e.at, e.sha256 SKIP $skip LIMIT $limit
RETURN e.format AS format, e.sha256 AS sha256, e.size AS size, e.by AS by,
       e.by_key AS by_key, e.at AS at
