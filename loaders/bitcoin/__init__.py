"""Bitcoin-style UTXO chains: block files, raw blocks, Bitcoin Core JSON-RPC."""
