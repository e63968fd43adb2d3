// @description Delete the change links of transactions clustered before (they are clustered
//   again because more of their inputs are now known). Their annotations, multi-input
//   evidence included, are rewritten by cluster/annotate in the same transaction.
// @mode write
// @param ids LIST<INTEGER>  the transactions clustered again, by internal id (from cluster/pending, same transaction)
// @columns -
// @bounds the CHANGE_OF relationships of the given transactions (at most one per output)
UNWIND $ids AS id
MATCH (t:Transaction) WHERE id(t) = id
MATCH (t)<-[old:CHANGE_OF]-(:Output)
DELETE old
