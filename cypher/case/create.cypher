// @description Create an investigation case, recording who created it and when; fails on
//   the case_id constraint if the id exists.
// @mode write
// @param id STRING  the new case's id (a UUID made by the API)
// @param name STRING  the case's name
// @param description STRING = ""  what the case is about
// @param by STRING  who creates it (the API key's name)
// @param key_id STRING  the API key's id (names the key in the audit log)
// @param at STRING  when, ISO 8601 UTC ('2025-01-31T09:30:00.000000Z')
// @columns id
// @bounds one node
// @example :param id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
CREATE (c:Case {id: $id, name: $name, description: $description, created_by: $by,
                created_by_key: $key_id, created_at: $at, updated_at: $at})
RETURN c.id AS id
