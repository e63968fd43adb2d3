// @description Every block's header facts for chain placement (heights, main/stale/detached).
// @mode read
// @columns hash, prev_hash, bits, bip34_height, height_hint, network, height, status, chainwork, tx_count
// @bounds one row per loaded block, no traversal (about 100 bytes a block)
MATCH (b:Block)
RETURN b.hash AS hash, b.prev_hash AS prev_hash, b.bits AS bits, b.bip34_height AS bip34_height,
       b.height_hint AS height_hint, b.network AS network, b.height AS height, b.status AS status,
       b.chainwork AS chainwork, b.tx_count AS tx_count
