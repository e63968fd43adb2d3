// @description Mark transactions as clustered: they leave :Unclustered (and :Recluster).
// @mode write
// @param ids LIST<INTEGER>  the chunk's transactions by internal id (cluster/pending, same transaction)
// @columns -
// @bounds one transaction per row
UNWIND $ids AS id
MATCH (t:Transaction) WHERE id(t) = id
REMOVE t:Unclustered:Recluster
