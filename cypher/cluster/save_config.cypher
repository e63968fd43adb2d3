// @description Store the clustering configuration with the result it produces.
// @mode write
// @param coinjoin_filter BOOLEAN  flagged CoinJoins do not merge clusters
// @param change_heuristics LIST<STRING>  change heuristics whose change output joins the inputs' cluster
// @param heuristics LIST<STRING>  every rule in use as 'name@version'
// @columns -
// @bounds one node
MERGE (c:ClusteringConfig {key: 'bitcoin'})
SET c.coinjoin_filter = $coinjoin_filter, c.change_heuristics = $change_heuristics,
    c.heuristics = $heuristics, c.updated = datetime()
