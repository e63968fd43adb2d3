"""Loaders: sources -> rows (pure functions) -> idempotent batch writes into Neo4j."""
