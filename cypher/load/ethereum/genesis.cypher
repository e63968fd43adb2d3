// @description Write what an Ethereum node said about accounts at block 0: each account is
//   marked `genesis_checked`, and one with a balance there gets a `genesis` transfer from the
//   zero address (its genesis allocation, which no block shows), timed at block 0. MERGE on
//   the transfer id (`0:genesis:address`, as ethereum-etl's genesis traces give it): loading
//   again, or from both an export and a node, writes it once.
// @mode write
// @param rows LIST<MAP>  {address, transfer: null or {id, kind: 'genesis', asset: 'ETH', value, value_key, limbs, block: 0, tx_index: null, seq: 0, tx_hash: null}}
// @param zero STRING  the zero address (the source of the allocation)
// @columns -
// @bounds one batch of rows; index lookups per row, no traversal
UNWIND $rows AS r
MERGE (a:Account {address: r.address})
SET a.genesis_checked = true
WITH a, r.transfer AS x
WHERE x IS NOT NULL
MERGE (z:Account {address: $zero})
MERGE (z)-[t:TRANSFER {id: x.id}]->(a)
WITH t, x
OPTIONAL MATCH (blk:EthBlock {number: x.block})
SET t.kind = x.kind, t.asset = x.asset, t.value = x.value, t.value_key = x.value_key,
    t.limbs = x.limbs, t.block = x.block, t.tx_index = x.tx_index, t.seq = x.seq,
    t.time = blk.time, t.tx_hash = x.tx_hash
