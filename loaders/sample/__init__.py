"""A deterministic synthetic regtest chain with known ground truth, for tests and demos.

Real chain data cannot tell a test who owns what; this sample can: `generate_chain` writes
Bitcoin Core `blk*.dat` files plus `truth.json` (entities and their addresses, CoinJoins, peel
chains, a theft and its poison-taint closure) so clustering and tracing can be checked exactly.
"""

from loaders.sample.generator import (
    DEFAULT_TXS_PER_BLOCK,
    MAX_BLOCKFILE_SIZE,
    GenerationSummary,
    generate_chain,
    min_txs,
)

__all__ = [
    "DEFAULT_TXS_PER_BLOCK",
    "MAX_BLOCKFILE_SIZE",
    "GenerationSummary",
    "generate_chain",
    "min_txs",
]
