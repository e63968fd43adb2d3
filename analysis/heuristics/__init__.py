"""The rules clustering applies to one transaction: CoinJoin detection and change outputs."""
