// @description The stored clustering configuration (heuristics and versions, CoinJoin filter,
//   change heuristics that merge), or no row when nothing was clustered yet.
// @mode read
// @columns coinjoin_filter, change_heuristics, heuristics, updated
// @bounds one node
MATCH (c:ClusteringConfig {key: 'bitcoin'})
RETURN c.coinjoin_filter AS coinjoin_filter, c.change_heuristics AS change_heuristics,
       c.heuristics AS heuristics, c.updated AS updated
