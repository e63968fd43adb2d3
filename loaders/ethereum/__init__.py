"""Ethereum: ethereum-etl exports and JSON-RPC nodes -> accounts, transactions and transfers.

`exports` and `rpc` read sources into the model (`model`); `traces` turns call trees (Parity
`trace_block`, geth's call tracer, struct logs) into flat traces; `rows` is the pure transform
of one block into the rows the load queries UNWIND; `load` writes them, a batch of whole
blocks per transaction. See docs/ethereum.md.
"""
