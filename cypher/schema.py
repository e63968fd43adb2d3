"""Apply the schema (constraints and indexes in `cypher/schema/`) idempotently."""

from __future__ import annotations

import logging

from cypher.runner import Graph

log = logging.getLogger(__name__)


def apply_schema(graph: Graph) -> int:
    """Create every constraint and index that is missing, then wait until they are online.

    Runs before any load: MERGE on an unindexed key would scan, and a unique constraint is what
    keeps concurrent or repeated loads from creating duplicates.
    """
    names = graph.registry.names("schema/")
    for name in names:
        graph.autocommit(name)
    with graph.driver.session(database=graph.database) as s:
        s.run("CALL db.awaitIndexes(300)").consume()
    log.debug("schema applied: %d statements", len(names))
    return len(names)
