// @description Write value transfers between accounts (written before them in the same
//   transaction). Amounts are exact: `value` the decimal string, `value_key` the same padded to
//   78 digits (string order = numeric order), `limbs` nine base-10^9 limbs, least significant
//   first (exact sums in Cypher). `seq` = block * 100000 + tx_index orders them in time.
//   Without a time in the row (traces loaded after their block) the block's time is used;
//   without a transaction index (a token_transfers export alone) a stored one is kept.
// @mode write
// @param rows LIST<MAP>  {id, kind (native, internal, erc20, fee, reward, withdrawal), asset ('ETH' or the token address), from, to, value, value_key, limbs, block, tx_index, seq, time, tx_hash}
// @columns -
// @bounds one batch of rows; index lookups per row (accounts, then the transfer id), no traversal
UNWIND $rows AS r
MATCH (a:Account {address: r.`from`})
MATCH (b:Account {address: r.`to`})
MERGE (a)-[t:TRANSFER {id: r.id}]->(b)
WITH t, r
OPTIONAL MATCH (blk:EthBlock {number: r.block})
SET t.kind = r.kind, t.asset = r.asset, t.value = r.value, t.value_key = r.value_key,
    t.limbs = r.limbs, t.block = r.block,
    t.seq = CASE WHEN r.tx_index IS NULL AND t.tx_index IS NOT NULL THEN t.seq ELSE r.seq END,
    t.tx_index = coalesce(r.tx_index, t.tx_index),
    t.time = coalesce(r.time, blk.time), t.tx_hash = r.tx_hash
