"""Tests of the pure heuristics: CoinJoin detection and change outputs."""
