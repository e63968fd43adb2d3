"""The managed Neo4j server, against real servers (no mocks).

Each test that needs a server runs its own instances (temporary homes, free ports), separate
from the session instance of tests/conftest.py, because these tests stop, reset and break
them. The jars come from the shared cache (`chaintrail db setup` fills it; the first test
fills it if needed). Starts take ~5-10 s each; the module runs in about a minute.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import psutil
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from chaintrail.cli.db import db_app
from chaintrail.errors import ConfigError, DatabaseUnavailable, QueryMemoryLimit, QueryTimeout
from chaintrail.settings import Settings
from db import instance
from db.distribution import (
    MANIFEST_NAME,
    distribution_dir,
    ensure_distribution,
    find_java,
    find_mvn,
    parse_java_version,
)
from db.driver import is_timeout_error, open_driver, resolve_password, run_guarded
from tests.helpers import free_port

runner = CliRunner()


def make_settings(home: Path, **overrides: Any) -> Settings:
    """Small, fast instance settings on free ports; explicit values beat any CHAINTRAIL_* env."""
    values: dict[str, Any] = {
        "home": home,
        "neo4j_uri": f"bolt://127.0.0.1:{free_port()}",
        "neo4j_http_port": free_port(),
        "neo4j_password": None,
        "manage_db": True,
        "neo4j_heap": "512m",
        "neo4j_pagecache": "64m",
        "neo4j_tx_memory": "256m",
        "transaction_timeout_s": 2.0,
        "neo4j_start_timeout_s": 120.0,
    }
    values.update(overrides)
    return Settings(**values)


def cli(settings: Settings, *args: str) -> Any:
    return runner.invoke(db_app, list(args), obj=settings)


def count_nodes(settings: Settings, label: str = "Probe") -> int:
    with open_driver(settings) as driver:
        records, _, _ = driver.execute_query(
            f"MATCH (n:{label}) RETURN count(n) AS c", database_=settings.neo4j_database
        )
    return int(records[0]["c"])


def create_node(settings: Settings, label: str = "Probe") -> None:
    with open_driver(settings) as driver:
        driver.execute_query(f"CREATE (:{label} {{at: timestamp()}})")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Instance A: started through the Python API, stopped at the end of the module."""
    settings = make_settings(tmp_path_factory.mktemp("neo4j-a"))
    instance.start(settings)
    try:
        yield settings
    finally:
        instance.stop(settings)


# ------------------------------------------------------------------------------------------
# Without a server


def test_parse_java_version() -> None:
    assert parse_java_version('openjdk version "17.0.15" 2025-04-15') == (17, "17.0.15")
    assert parse_java_version('java version "1.8.0_392"') == (8, "1.8.0_392")
    assert parse_java_version('openjdk version "21" 2023-09-19')[0] == 21
    with pytest.raises(ConfigError):
        parse_java_version("no version here")


def test_java_and_mvn_found() -> None:
    assert parse_java_version(f'version "{find_java().version}"')[0] >= 17
    assert find_mvn().path.name == "mvn"


def test_missing_tools_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="java"):
        find_java()
    with pytest.raises(ConfigError, match="mvn"):
        find_mvn()


def test_settings_checks(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not on this machine"):
        instance.check_settings(make_settings(tmp_path, neo4j_uri="bolt://db.example:7687"))
    s = make_settings(tmp_path)
    with pytest.raises(ConfigError, match="both"):
        instance.check_settings(s.model_copy(update={"neo4j_http_port": s.bolt_port}))
    with pytest.raises(ConfigError, match="JVM size"):
        instance.check_settings(make_settings(tmp_path, neo4j_heap="lots"))
    with pytest.raises(ConfigError, match="shorter"):
        instance.check_settings(make_settings(tmp_path, neo4j_password=SecretStr("short")))


def test_password_file_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    first = instance.ensure_password(settings)
    assert stat.S_IMODE(settings.password_file.stat().st_mode) == 0o600
    assert len(first) >= 16
    assert instance.ensure_password(settings) == first
    assert resolve_password(settings) == first
    configured = make_settings(tmp_path / "other", neo4j_password=SecretStr("configured-pw"))
    assert instance.ensure_password(configured) == "configured-pw"
    assert not configured.password_file.exists()


def test_setup_is_idempotent_and_warm_setup_needs_no_mvn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "home")
    result = cli(settings, "setup")  # cold the first time on a machine: downloads with mvn
    assert result.exit_code == 0, result.output
    marker = distribution_dir(settings) / MANIFEST_NAME
    mtime = marker.stat().st_mtime_ns

    # A second setup must not run mvn: hide it (keep only java on PATH); nothing is rewritten.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(find_java().path)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = cli(settings, "setup")
    assert result.exit_code == 0, result.output
    assert marker.stat().st_mtime_ns == mtime

    dist = ensure_distribution(settings)
    assert any(a.artifact == "apoc-core" for a in dist.plugins)
    lib_keys = {a.key for a in dist.lib}
    assert not any(a.key in lib_keys for a in dist.plugins), "plugins duplicate lib jars"
    conf = instance.Paths.of(settings).conf_file.read_text()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert f"server.bolt.listen_address=:{settings.bolt_port}" in conf
    assert f"server.http.listen_address=:{settings.neo4j_http_port}" in conf
    assert "db.transaction.timeout=2000ms" in conf
    assert "db.memory.transaction.total.max=256m" in conf
    assert "server.memory.pagecache.size=64m" in conf


# ------------------------------------------------------------------------------------------
# Instance A: lifecycle through the CLI


@pytest.mark.neo4j
def test_status_start_and_password(server: Settings) -> None:
    result = cli(server, "status")
    assert result.exit_code == 0, result.output
    pid = instance.running_pid(server)
    assert pid is not None
    for expected in ("up", server.neo4j_uri, str(pid), str(instance.Paths.of(server).home)):
        assert expected in result.output
    assert server.neo4j_version in result.output

    result = cli(server, "start")
    assert result.exit_code == 0, result.output
    assert "already running" in result.output
    assert instance.running_pid(server) == pid

    assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600
    assert server.password_file.parent == server.home


@pytest.mark.neo4j
def test_binds_loopback_only_and_writes_under_home(server: Settings) -> None:
    pid = instance.running_pid(server)
    assert pid is not None
    listening = [
        c for c in psutil.Process(pid).net_connections(kind="inet") if c.status == "LISTEN"
    ]
    ports = {c.laddr.port for c in listening}
    assert {server.bolt_port, server.neo4j_http_port} <= ports
    for c in listening:  # Java listens on IPv6 sockets: 127.0.0.1 shows as ::ffff:127.0.0.1
        ip = ipaddress.ip_address(c.laddr.ip)
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        assert str(mapped or ip) == "127.0.0.1", c
    paths = instance.Paths.of(server)
    for p in (paths.conf_file, paths.data, paths.console_log, paths.pid_file, paths.system_db):
        assert p.exists() and p.is_relative_to(paths.home), p


@pytest.mark.neo4j
def test_apoc_is_loaded(server: Settings) -> None:
    with open_driver(server) as driver:
        records = run_guarded(driver, server, "RETURN apoc.version() AS v")
    assert records[0]["v"] == server.neo4j_version


@pytest.mark.neo4j
def test_timeout_stops_runaway_query(server: Settings) -> None:
    with open_driver(server) as driver:
        # server-side db.transaction.timeout (2 s here), without any client timeout
        t0 = time.monotonic()
        with pytest.raises(neo4j.exceptions.Neo4jError) as info:
            driver.execute_query(
                "UNWIND range(1, 10000000000) AS x WITH x WHERE x < 0 RETURN count(x)"
            )
        assert is_timeout_error(info.value), info.value
        assert time.monotonic() - t0 < 30

        t0 = time.monotonic()
        with pytest.raises(QueryTimeout):
            run_guarded(driver, server, "CALL apoc.util.sleep(60000)")
        assert time.monotonic() - t0 < 30
        # the server is fine afterwards
        assert run_guarded(driver, server, "RETURN 1 AS one")[0]["one"] == 1


@pytest.mark.neo4j
def test_memory_limit_is_a_clear_error(server: Settings) -> None:
    """(That it is not retried: tests/cypher/test_runner.py counts the attempts.)"""
    with open_driver(server) as driver, pytest.raises(QueryMemoryLimit, match="memory"):
        run_guarded(
            driver,
            server.model_copy(update={"transaction_timeout_s": 60.0}),
            "UNWIND range(1, 100000000) AS x RETURN collect(x) AS xs",
        )


@pytest.mark.neo4j
def test_data_persists_across_stop_and_start(server: Settings) -> None:
    create_node(server, "Persisted")
    paths = instance.Paths.of(server)

    result = cli(server, "stop")
    assert result.exit_code == 0, result.output
    assert "stopped" in result.output
    assert not paths.pid_file.exists()
    assert cli(server, "status").exit_code == 1

    result = cli(server, "stop")
    assert result.exit_code == 0, result.output
    assert "not running" in result.output

    result = cli(server, "start")
    assert result.exit_code == 0, result.output
    assert "started" in result.output
    assert count_nodes(server, "Persisted") == 1


@pytest.mark.neo4j
def test_reset_refuses_without_yes_then_wipes_data(server: Settings) -> None:
    create_node(server, "Doomed")
    password = server.password_file.read_text()

    result = cli(server, "reset")
    assert result.exit_code != 0
    assert "--yes" in result.output
    assert count_nodes(server, "Doomed") >= 1

    result = cli(server, "reset", "--yes")
    assert result.exit_code == 0, result.output
    assert count_nodes(server, "Doomed") == 0
    assert count_nodes(server, "Persisted") == 0
    assert server.password_file.read_text() == password  # kept, and still accepted


# ------------------------------------------------------------------------------------------
# More instances


@pytest.mark.neo4j
def test_two_instances_side_by_side(server: Settings, tmp_path: Path) -> None:
    other = make_settings(tmp_path / "b")
    try:
        result = cli(other, "start")
        assert result.exit_code == 0, result.output
        create_node(other, "OnlyInB")
        assert cli(server, "status").exit_code == 0
        assert cli(other, "status").exit_code == 0
        assert count_nodes(other, "OnlyInB") == 1
        assert count_nodes(server, "OnlyInB") == 0
        assert instance.running_pid(other) != instance.running_pid(server)
        assert other.password_file.read_text() != server.password_file.read_text()
    finally:
        instance.stop(other)
    assert cli(other, "status").exit_code == 1
    assert cli(server, "status").exit_code == 0


@pytest.mark.neo4j
def test_external_mode_starts_nothing(server: Settings, tmp_path: Path) -> None:
    password = resolve_password(server)
    assert password is not None
    home = tmp_path / "external-home"
    external = make_settings(
        home,
        manage_db=False,
        neo4j_uri=server.neo4j_uri,
        neo4j_password=SecretStr(password),
    )
    pid = instance.running_pid(server)

    for command in (["setup"], ["start"], ["stop"]):
        result = cli(external, *command)
        assert result.exit_code == 0, result.output
        assert "external" in result.output
    result = cli(external, "reset", "--yes")
    assert result.exit_code != 0
    assert "external" in result.output

    assert not home.exists(), "external mode wrote files"
    assert instance.running_pid(server) == pid, "external mode touched the running server"
    result = cli(external, "status")
    assert result.exit_code == 0, result.output
    assert "external" in result.output
    instance.ensure_started(external)  # only checks

    down = external.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    assert cli(down, "status").exit_code == 1
    with pytest.raises(DatabaseUnavailable):
        instance.ensure_started(down)


@pytest.mark.neo4j
def test_start_failure_prints_log_tail(tmp_path: Path) -> None:
    # The server JVM dies at once (the admin tool that sets the password uses its own heap).
    settings = make_settings(tmp_path / "bad", neo4j_heap="1m")
    result = cli(settings, "start")
    assert result.exit_code == 1, result.output
    assert "exited during startup" in result.output
    assert "last lines of" in result.output
    assert "Too small maximum heap" in result.output  # the JVM's own words, from the log
    assert not instance.Paths.of(settings).pid_file.exists()
    assert instance.running_pid(settings) is None
    assert cli(settings, "status").exit_code == 1


@pytest.mark.neo4j
def test_invalid_neo4j_setting_is_reported(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "bad-conf", neo4j_pagecache="not-a-size")
    result = cli(settings, "start")
    assert result.exit_code == 1, result.output
    assert "server.memory.pagecache.size" in result.output
    assert "not-a-size" in result.output
    assert instance.running_pid(settings) is None


@pytest.mark.neo4j
def test_port_taken_by_another_process(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "clash")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.bolt_port))
        squatter.listen()
        result = cli(settings, "start")
    assert result.exit_code == 1, result.output
    assert f"port {settings.bolt_port}" in result.output
    assert "already in use" in result.output
    assert f"pid {os.getpid()}" in result.output
    assert instance.running_pid(settings) is None


@pytest.mark.neo4j
def test_a_password_starting_with_a_dash_is_set_and_works(tmp_path: Path) -> None:
    """The admin tool took such a password for an option; a generated one starts with "-"
    once in 64 (token_urlsafe), so a new user's first start could fail."""
    settings = make_settings(tmp_path / "dash", neo4j_password=SecretStr("-starts-with-a-dash"))
    try:
        result = cli(settings, "start")
        assert result.exit_code == 0, result.output
        with neo4j.GraphDatabase.driver(settings.neo4j_uri,
                                        auth=("neo4j", "-starts-with-a-dash")) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    finally:
        instance.stop(settings)
