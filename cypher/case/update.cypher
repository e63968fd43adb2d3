// @description Rename a case or change its description (a null leaves that field as it
//   is); no row when there is no such case.
// @mode write
// @param id STRING  the case's id
// @param name STRING = null  the new name
// @param description STRING = null  the new description
// @param at STRING  when, ISO 8601 UTC
// @columns id
// @bounds one node
// @example :param id => '7a3c3d0e-1f0b-4c1e-9a55-0c8e2d6a9b10'
MATCH (c:Case {id: $id})
SET c.name = coalesce($name, c.name), c.description = coalesce($description, c.description),
    c.updated_at = $at
RETURN c.id AS id
