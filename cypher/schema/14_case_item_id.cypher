// @description A case's items (addresses, transactions, traces, notes) are identified by a
//   generated id (see case/add_items), so one can be named, removed and cited.
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT case_item_id IF NOT EXISTS FOR (i:CaseItem) REQUIRE i.id IS UNIQUE
