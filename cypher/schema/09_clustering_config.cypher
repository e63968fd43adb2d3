// @description One stored clustering configuration per chain family (key 'bitcoin').
// @mode write
// @columns -
// @bounds schema change; idempotent (IF NOT EXISTS)
CREATE CONSTRAINT clustering_config_key IF NOT EXISTS FOR (c:ClusteringConfig) REQUIRE c.key IS UNIQUE
