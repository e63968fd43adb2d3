"""Test session harness: one fresh, isolated Neo4j instance for the whole run.

The instance gets its own home (conf, data, logs, password) in a temporary directory and free
ports, so a developer's own server (or a second test run) is never touched; the jars come from
the shared cache that `chaintrail db setup` (run by `make test`) fills.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from chaintrail.settings import Settings
from cypher.registry import Registry
from cypher.runner import Graph
from cypher.schema import apply_schema
from db.driver import open_driver
from db.instance import start, stop
from tests.helpers import SHARED, free_port, wipe


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or a skip that says why."""
    if not (SHARED / "bitcoin").is_dir():
        pytest.skip(f"real chain data not present at {SHARED} (see ../shared/data/README.md)")
    return SHARED


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of the session's own Neo4j instance, started here and stopped at the end."""
    home = tmp_path_factory.mktemp("neo4j-home")
    settings = Settings(
        home=home,
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_http_port=free_port(),
        neo4j_password=SecretStr("chaintrail-test-pw"),
        manage_db=True,
        neo4j_heap="1g",
        neo4j_pagecache="512m",
        transaction_timeout_s=120.0,
    )
    start(settings)
    try:
        yield settings
    finally:
        stop(settings)


@pytest.fixture(scope="session")
def graph(neo4j_settings: Settings) -> Iterator[Graph]:
    driver = open_driver(neo4j_settings)
    g = Graph(driver, Registry.load(), database=neo4j_settings.neo4j_database,
              timeout_s=neo4j_settings.transaction_timeout_s)
    apply_schema(g)
    try:
        yield g
    finally:
        driver.close()


@pytest.fixture
def empty_graph(graph: Graph) -> Graph:
    """The session's database, emptied (schema kept): an empty instance for one test."""
    wipe(graph)
    return graph


@pytest.fixture(scope="session")
def cli_env(neo4j_settings: Settings) -> dict[str, str]:
    """Environment for running the `chaintrail` command against the test instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINTRAIL_")}
    assert neo4j_settings.neo4j_password is not None
    env.update({
        "CHAINTRAIL_HOME": str(neo4j_settings.home),
        "CHAINTRAIL_NEO4J_URI": neo4j_settings.neo4j_uri,
        "CHAINTRAIL_NEO4J_HTTP_PORT": str(neo4j_settings.neo4j_http_port),
        "CHAINTRAIL_NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value(),
        "CHAINTRAIL_LOG_LEVEL": "INFO",
    })
    return env
