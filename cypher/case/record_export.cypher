// @description Record that a case was exported: by whom, when, in which format, and the
//   SHA-256 of the exact bytes handed out, so an exported file can be checked against the
//   case later (chain of custody). No row when there is no such case.
// @mode write
// @param case_id STRING  the case's id
// @param format STRING  json, csv or graphml
// @param sha256 STRING  hex SHA-256 of the exported file
// @param size INTEGER  the file's size in bytes
// @param by STRING  who exported it
// @param key_id STRING  the API key's id
// @param at STRING  when, ISO 8601 UTC
// @columns case_id
// @bounds one case, one new node
// @example :param case_id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (c:Case {id: $case_id})
CREATE (:CaseExport {format: $format, sha256: $sha256, size: $size, by: $by,
                     by_key: $key_id, at: $at})-[:IN_CASE]->(c)
RETURN c.id AS case_id
