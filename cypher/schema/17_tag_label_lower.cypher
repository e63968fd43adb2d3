// @description Attribution tags are found by the start of their label in any case
//   (search/prefix, tags/list): `label_lower` is the label in lower case, written by the tag
//   loads, and this index turns that prefix match into a range seek instead of a scan of every
//   tag (about 60 ms on 150,810 tags, growing with them).
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE INDEX tag_label_lower IF NOT EXISTS FOR (t:Tag) ON (t.label_lower)
