"""One managed Neo4j server under `settings.home`: conf, password, start, stop, status, reset.

Everything an instance writes lives under its home, so several instances (different homes and
ports) run side by side while sharing the jars of the download cache:

    <home>/conf/neo4j.conf     rendered from the settings on every setup/start (do not edit)
    <home>/data/               databases and transaction logs (persist across stop/start)
    <home>/logs/console.log    the server's stdout/stderr (our launcher appends to it)
    <home>/logs/*.log          Neo4j's own logs (neo4j.log, debug.log, ...)
    <home>/run/neo4j.pid       pid of the running server, written by `start`
    <home>/import/             the only directory LOAD CSV may read
    <home>/neo4j-password      generated password (mode 0600), unless one is configured

The server is the plain `java` command of the official launcher (no bootloader JVM): it is
started detached in its own session so that it outlives the CLI, and it is stopped with
SIGTERM, which Neo4j handles with a clean shutdown.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from chaintrail.errors import ConfigError, DatabaseUnavailable, ServerError
from chaintrail.settings import Settings
from db.distribution import Distribution, Tool, ensure_distribution, find_java
from db.driver import Probe, probe, resolve_password

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 60.0
LOG_TAIL_LINES = 40
MIN_PASSWORD_LENGTH = 8
"""Neo4j's default `dbms.security.auth_minimum_password_length`."""

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})  # the server binds IPv4 loopback only
_SIZE = re.compile(r"^[1-9][0-9]*[kKmMgG]?$")
_POLL_S = 0.5

JVM_OPTIONS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    # a server that ran out of heap is better dead (status says so) than limping
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
)
"""Options of the official 5.26 launcher (default neo4j.conf `server.jvm.additional`) that
matter when the server JVM is started directly; heap is added from the settings."""

# The launcher shell: start the server in the background with its output appended to the
# console log, print its pid, and exit, so that the server is not our child (no zombie, no
# "still running" warnings) and keeps running after the CLI exits.
_LAUNCH_SH = 'log=$1; shift; "$@" </dev/null >>"$log" 2>&1 & echo $!'


class StartResult(enum.Enum):
    STARTED = "started"
    ALREADY_RUNNING = "already running"
    EXTERNAL = "external"


class StopResult(enum.Enum):
    STOPPED = "stopped"
    NOT_RUNNING = "not running"
    EXTERNAL = "external"


@dataclass(frozen=True)
class Paths:
    """Where one instance keeps its files (all under `home`)."""

    home: Path

    @classmethod
    def of(cls, settings: Settings) -> Paths:
        return cls(settings.home.expanduser().resolve())

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def conf_file(self) -> Path:
        return self.conf_dir / "neo4j.conf"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def import_dir(self) -> Path:
        return self.home / "import"

    @property
    def console_log(self) -> Path:
        return self.logs / "console.log"

    @property
    def pid_file(self) -> Path:
        return self.run / "neo4j.pid"

    @property
    def lock_file(self) -> Path:
        return self.run / "chaintrail.lock"

    @property
    def system_db(self) -> Path:
        """Exists once the server has started at least once on this data directory."""
        return self.data / "databases" / "system"


@dataclass(frozen=True)
class ServerStatus:
    """What `status` found. `up` means: we can log in and query the configured database."""

    managed: bool
    up: bool
    uri: str
    home: Path
    version: str
    pid: int | None
    detail: str


# --------------------------------------------------------------------------------------------
# Settings checks and conf


def check_settings(settings: Settings) -> None:
    """Reject settings a managed server cannot honour, before anything is downloaded/started."""
    parts = urlsplit(settings.neo4j_uri)
    if parts.hostname not in _LOCAL_HOSTS:
        raise ConfigError(
            f"CHAINTRAIL_NEO4J_URI={settings.neo4j_uri} is not on this machine, but the managed "
            "server binds 127.0.0.1 only; use bolt://127.0.0.1:<port>, or set "
            "CHAINTRAIL_MANAGE_DB=false to use an external server"
        )
    if parts.scheme not in {"bolt", "neo4j"}:
        raise ConfigError(
            f"the managed server has no TLS; use bolt:// or neo4j://, not {parts.scheme}://"
        )
    for name, port in (("Bolt", settings.bolt_port), ("HTTP", settings.neo4j_http_port)):
        if not 1 <= port <= 65535:
            raise ConfigError(f"{name} port {port} is not a TCP port")
    if settings.bolt_port == settings.neo4j_http_port:
        raise ConfigError(
            f"Bolt and HTTP ports are both {settings.bolt_port}; change CHAINTRAIL_NEO4J_URI "
            "or CHAINTRAIL_NEO4J_HTTP_PORT"
        )
    if settings.neo4j_user != "neo4j":
        raise ConfigError(
            f"the managed server only has the admin user 'neo4j', not {settings.neo4j_user!r}"
        )
    if not _SIZE.match(settings.neo4j_heap):
        raise ConfigError(
            f"CHAINTRAIL_NEO4J_HEAP={settings.neo4j_heap!r} is not a JVM size like 512m or 2g"
        )
    if (
        settings.neo4j_password is not None
        and len(settings.neo4j_password.get_secret_value()) < MIN_PASSWORD_LENGTH
    ):
        raise ConfigError(
            f"CHAINTRAIL_NEO4J_PASSWORD is shorter than {MIN_PASSWORD_LENGTH} characters, "
            "which Neo4j refuses"
        )


def _timeout_value(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"


def render_conf(settings: Settings, dist: Distribution) -> str:
    """neo4j.conf for this instance. Every key was checked against 5.26 (strict validation
    aborts startup on an unknown key, so no key is added here without a test start)."""
    p = Paths.of(settings)
    entries: list[tuple[str, str]] = [
        ("server.default_listen_address", "127.0.0.1"),
        ("server.default_advertised_address", "127.0.0.1"),
        ("server.bolt.listen_address", f":{settings.bolt_port}"),
        ("server.bolt.advertised_address", f":{settings.bolt_port}"),
        ("server.http.listen_address", f":{settings.neo4j_http_port}"),
        ("server.http.advertised_address", f":{settings.neo4j_http_port}"),
        ("server.https.enabled", "false"),
        ("server.directories.data", str(p.data)),
        ("server.directories.logs", str(p.logs)),
        ("server.directories.run", str(p.run)),
        ("server.directories.import", str(p.import_dir)),
        ("server.directories.plugins", str(dist.plugins_dir)),
        ("server.directories.lib", str(dist.lib_dir)),
        ("server.memory.pagecache.size", settings.neo4j_pagecache),
        ("db.memory.transaction.total.max", settings.neo4j_tx_memory),
        ("db.transaction.timeout", _timeout_value(settings.transaction_timeout_s)),
        ("dbms.security.auth_enabled", "true"),
        ("dbms.security.procedures.unrestricted", "apoc.*"),
        ("dbms.usage_report.enabled", "false"),
        ("internal.server.bolt.connection_shutdown_wait_time", "1s"),
        ("internal.dbms.bolt.netty_server_shutdown_quiet_period", "0"),
        ("initial.dbms.default_database", settings.neo4j_database),
    ]
    head = [
        "# Generated by chaintrail (db/instance.py) from its settings on every start;",
        "# edits are overwritten. Change CHAINTRAIL_* variables instead.",
        f"# Neo4j {dist.version}, jars from {dist.root}",
    ]
    for key, value in entries:
        if "\n" in value or "\r" in value:
            raise ConfigError(f"{key} value {value!r} contains a line break")
    return "\n".join([*head, *(f"{k}={v}" for k, v in entries)]) + "\n"


def _atomic_write(path: Path, text: str, mode: int = 0o644) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    tmp.replace(path)


def write_conf(settings: Settings, dist: Distribution) -> Path:
    """Create the instance directories and (re)write neo4j.conf."""
    p = Paths.of(settings)
    for d in (p.conf_dir, p.data, p.logs, p.run, p.import_dir):
        d.mkdir(parents=True, exist_ok=True)
    _atomic_write(p.conf_file, render_conf(settings, dist))
    return p.conf_file


def ensure_password(settings: Settings) -> str:
    """The admin password: the configured one, else the generated one (created on first use).

    The file is created with mode 0600 from the start (os.open), never chmod-ed afterwards,
    so there is no moment when another user could read it.
    """
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    path = settings.password_file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning("%s had mode %o; restricting it to 0600", path, mode)
            path.chmod(0o600)
        password = path.read_text(encoding="utf-8").strip()
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ConfigError(
                f"{path} holds a password shorter than {MIN_PASSWORD_LENGTH} characters"
            ) from None
        return password
    password = secrets.token_urlsafe(24)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")
    log.info("generated a Neo4j password into %s", path)
    return password


# --------------------------------------------------------------------------------------------
# Processes


@contextlib.contextmanager
def _instance_lock(paths: Paths) -> Iterator[None]:
    """Serialise start/stop/reset of one home (two CLIs, or a test and a CLI)."""
    paths.run.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_pid(paths: Paths) -> int | None:
    try:
        text = paths.pid_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def _server_process(paths: Paths, pid: int | None) -> psutil.Process | None:
    """The live server process of this home with that pid, or None (dead, zombie, reused)."""
    if pid is None:
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        cmdline = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    if f"--home-dir={paths.home}" not in cmdline:
        log.info("pid %d in %s is not our Neo4j (pid reused)", pid, paths.pid_file)
        return None
    return proc


def running_pid(settings: Settings) -> int | None:
    """Pid of this home's server if it is alive (whether or not Bolt answers yet)."""
    paths = Paths.of(settings)
    proc = _server_process(paths, _read_pid(paths))
    return proc.pid if proc is not None else None


def _port_free(port: int) -> bool:
    # SO_REUSEADDR like Netty's server socket: only a live listener makes the bind fail,
    # not TIME_WAIT connections left by a server that just stopped.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_owner(port: int) -> str:
    try:
        for c in psutil.net_connections(kind="tcp"):
            if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid:
                with contextlib.suppress(psutil.Error):
                    proc = psutil.Process(c.pid)
                    return f" by pid {c.pid} ({' '.join(proc.cmdline())[:120]})"
                return f" by pid {c.pid}"
    except (psutil.Error, OSError):
        pass
    return ""


def _check_ports(settings: Settings) -> None:
    for name, port, var in (
        ("Bolt", settings.bolt_port, "CHAINTRAIL_NEO4J_URI"),
        ("HTTP", settings.neo4j_http_port, "CHAINTRAIL_NEO4J_HTTP_PORT"),
    ):
        if not _port_free(port):
            raise ConfigError(
                f"{name} port {port} on 127.0.0.1 is already in use{_port_owner(port)}, not by "
                f"this instance ({settings.home}); stop that process or choose another port "
                f"with {var}"
            )


def _run_output(path: Path, offset: int) -> list[str]:
    """Lines a log got after byte `offset` (at most the last 256 KiB: the output of this run)."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            start = offset if offset <= size else 0
            fh.seek(max(start, size - 256 * 1024))
            data = fh.read()
    except FileNotFoundError:
        return []
    return data.decode("utf-8", errors="replace").splitlines()


def log_tail(path: Path, lines: int = LOG_TAIL_LINES, offset: int = 0) -> str:
    """Last `lines` lines of a log written after byte `offset` (the tail of this run)."""
    if not path.exists():
        return f"({path} does not exist)"
    text = _run_output(path, offset)[-lines:]
    return "\n".join(text) if text else f"({path} has no output from this run)"


_CAUSE = re.compile(r"(Exception|Error|Caused by|ERROR|Unrecognized setting)")


def _causes(lines: list[str], limit: int = 6) -> list[str]:
    """Exception/ERROR lines, without stack frames: the reason is often above the tail."""
    found: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("at ", "...")) or not _CAUSE.search(stripped):
            continue
        if stripped not in found:
            found.append(stripped)
    return found[:limit]


def _failure(message: str, paths: Paths, offset: int) -> ServerError:
    parts = [message]
    causes = _causes(_run_output(paths.console_log, offset))
    if causes:
        parts.append("cause:\n" + "\n".join(f"  {c}" for c in causes))
    parts.append(
        f"--- last lines of {paths.console_log} (more in {paths.logs / 'debug.log'}) ---\n"
        + log_tail(paths.console_log, offset=offset)
    )
    return ServerError("\n".join(parts))


def _java_env(paths: Paths, java: Tool) -> dict[str, str]:
    # An explicit, minimal environment: the server must not pick up JAVA_OPTS, NEO4J_* or a
    # proxy from whoever runs the CLI.
    return {
        "PATH": f"{java.path.parent}:{os.defpath}",
        "NEO4J_HOME": str(paths.home),
        "NEO4J_CONF": str(paths.conf_dir),
        "LANG": "C.UTF-8",
    }


def _set_initial_password(paths: Paths, dist: Distribution, java: Tool, password: str) -> None:
    """`neo4j-admin dbms set-initial-password` on a never-started data directory.

    The password is an argument (the tool has no stdin option), so it is briefly visible in
    the local process list; acceptable for a loopback-only development/analysis server.
    """
    cmd = [
        str(java.path),
        "-Xmx256m",
        "-cp",
        f"{dist.lib_dir}/*",
        dist.admin_class,
        "dbms",
        "set-initial-password",
        "--",  # the end of options: a password may start with "-" (a generated one does 1 in 64)
        password,
    ]
    try:
        proc = subprocess.run(
            cmd,
            env=_java_env(paths, java),
            cwd=paths.home,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ServerError(f"neo4j-admin dbms set-initial-password failed to run: {e}") from e
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr).replace(password, "***").strip()
        raise ServerError(
            f"neo4j-admin dbms set-initial-password failed (exit {proc.returncode}):\n{out}"
        )


def _server_command(settings: Settings, paths: Paths, dist: Distribution, java: Tool) -> list[str]:
    classpath = ":".join([f"{dist.plugins_dir}/*", f"{paths.conf_dir}/*", f"{dist.lib_dir}/*"])
    return [
        str(java.path),
        f"-Xms{settings.neo4j_heap}",
        f"-Xmx{settings.neo4j_heap}",
        *JVM_OPTIONS,
        "-cp",
        classpath,
        dist.main_class,
        f"--home-dir={paths.home}",
        f"--config-dir={paths.conf_dir}",
        "--console-mode",
    ]


def _launch(settings: Settings, paths: Paths, dist: Distribution, java: Tool) -> int:
    """Start the server detached; return its pid (written to the pid file)."""
    cmd = _server_command(settings, paths, dist, java)
    with paths.console_log.open("a", encoding="utf-8") as fh:
        fh.write(
            f"=== chaintrail: starting Neo4j {dist.version} at "
            f"{datetime.now(UTC).isoformat(timespec='seconds')} ===\n"
        )
    try:
        out = subprocess.run(
            ["/bin/sh", "-c", _LAUNCH_SH, "chaintrail-neo4j", str(paths.console_log), *cmd],
            env=_java_env(paths, java),
            cwd=paths.home,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            start_new_session=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise ServerError(f"cannot launch the Neo4j server: {e}") from e
    try:
        pid = int(out.strip())
    except ValueError as e:
        raise ServerError(f"the launcher did not report a pid: {out!r}") from e
    _atomic_write(paths.pid_file, f"{pid}\n")
    log.info("Neo4j launched as pid %d (console: %s)", pid, paths.console_log)
    return pid


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _terminate(pid: int, timeout_s: float) -> bool:
    """SIGTERM, wait up to `timeout_s`; True if the process is gone.

    Polls instead of waitpid: the server is not our child (see _LAUNCH_SH), and a zombie
    counts as gone in case nobody reaps orphans on this machine.
    """
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout_s
    while not _gone(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


def _kill(pid: int) -> None:
    """Last resort for a server that failed to start: SIGTERM briefly, then SIGKILL."""
    if not _terminate(pid, 15.0):
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).kill()


def _wait_ready(
    settings: Settings, paths: Paths, pid: int, password: str, offset: int, *, ours: bool
) -> None:
    """Poll until Bolt answers. A server launched by this call (`ours`) is killed when it does
    not come up, so that a failed start leaves nothing behind."""
    deadline = time.monotonic() + settings.neo4j_start_timeout_s
    last: Probe | None = None
    while True:
        if _server_process(paths, pid) is None:
            _remove_pid_file(paths, pid)
            raise _failure(
                f"Neo4j (pid {pid}) exited during startup; see the log below", paths, offset
            )
        last = probe(settings, password)
        if last.ok:
            return
        if last.auth_failed:
            if ours:
                _kill(pid)
                _remove_pid_file(paths, pid)
            raise ServerError(
                f"Neo4j (pid {pid}) refused the password ({last.detail}). This data directory "
                "was initialised with another password: restore it in "
                f"{settings.password_file} / CHAINTRAIL_NEO4J_PASSWORD, or wipe the data with "
                "`chaintrail db reset --yes`"
            )
        if time.monotonic() >= deadline:
            if ours:
                _kill(pid)
                _remove_pid_file(paths, pid)
            raise _failure(
                f"Neo4j (pid {pid}) did not answer on {settings.neo4j_uri} within "
                f"{settings.neo4j_start_timeout_s:.0f} s (last: {last.detail})"
                + ("; it was stopped" if ours else ""),
                paths,
                offset,
            )
        time.sleep(_POLL_S)


def _remove_pid_file(paths: Paths, pid: int | None = None) -> None:
    if pid is None or _read_pid(paths) == pid:
        paths.pid_file.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Public operations


def setup(settings: Settings) -> Distribution | None:
    """Check java, fill the jar cache if needed, write this home's conf. None if external."""
    if not settings.manage_db:
        return None
    check_settings(settings)
    find_java()
    dist = ensure_distribution(settings)
    write_conf(settings, dist)
    return dist


def start(settings: Settings) -> StartResult:
    """Start the managed server (setting it up first) and wait until it answers on Bolt."""
    if not settings.manage_db:
        return StartResult.EXTERNAL
    check_settings(settings)
    java = find_java()
    dist = ensure_distribution(settings)
    paths = Paths.of(settings)
    with _instance_lock(paths):
        password = ensure_password(settings)
        proc = _server_process(paths, _read_pid(paths))
        if proc is not None:
            # ours and alive: either up, or still starting (another CLI started it)
            state = probe(settings, password)
            if not state.ok:
                _wait_ready(settings, paths, proc.pid, password, offset=0, ours=False)
            return StartResult.ALREADY_RUNNING
        _remove_pid_file(paths)
        write_conf(settings, dist)
        _check_ports(settings)
        if not paths.system_db.exists():
            _set_initial_password(paths, dist, java, password)
        offset = paths.console_log.stat().st_size if paths.console_log.exists() else 0
        started = time.monotonic()
        pid = _launch(settings, paths, dist, java)
        _wait_ready(settings, paths, pid, password, offset, ours=True)
        log.info("Neo4j up on %s after %.1f s", settings.neo4j_uri, time.monotonic() - started)
        return StartResult.STARTED


def ensure_started(settings: Settings) -> None:
    """For callers that just need a database: start the managed server if it is not up.

    With an external server (`manage_db` false) this only checks that Bolt answers, raising
    DatabaseUnavailable otherwise.
    """
    if settings.manage_db:
        start(settings)
        return
    st = status(settings)
    if not st.up:
        raise DatabaseUnavailable(f"external Neo4j at {st.uri} is not usable: {st.detail}")


def stop(settings: Settings, timeout_s: float = STOP_TIMEOUT_S) -> StopResult:
    """SIGTERM the managed server and wait for it to exit (clean shutdown, no recovery)."""
    if not settings.manage_db:
        return StopResult.EXTERNAL
    paths = Paths.of(settings)
    with _instance_lock(paths):
        pid = _read_pid(paths)
        proc = _server_process(paths, pid)
        if proc is None:
            _remove_pid_file(paths)
            return StopResult.NOT_RUNNING
        started = time.monotonic()
        if not _terminate(proc.pid, timeout_s):
            raise ServerError(
                f"Neo4j (pid {proc.pid}) did not exit within {timeout_s:.0f} s of SIGTERM; it may "
                f"still be shutting down (see {paths.logs / 'neo4j.log'}). `kill -9 {proc.pid}` "
                "forces it, at the cost of recovery on the next start"
            )
        _remove_pid_file(paths)
        log.info("Neo4j (pid %d) stopped after %.1f s", proc.pid, time.monotonic() - started)
        return StopResult.STOPPED


def status(settings: Settings) -> ServerStatus:
    """Is the server usable? For a managed one also: is its process alive."""
    password = resolve_password(settings)
    paths = Paths.of(settings)
    pid = running_pid(settings) if settings.manage_db else None
    if settings.manage_db and pid is None:
        up, detail = False, "not running"
    else:
        result = probe(settings, password)
        up = result.ok
        detail = result.detail
        if not up and password is None:
            detail += " (no password configured)"
        if not up and pid is not None:
            detail = f"process {pid} is alive but not usable yet: {detail}"
    return ServerStatus(
        managed=settings.manage_db,
        up=up,
        uri=settings.neo4j_uri,
        home=paths.home,
        version=settings.neo4j_version,
        pid=pid,
        detail=detail,
    )


def reset(settings: Settings) -> StartResult:
    """Stop, delete the data directory (not the password), re-render conf, start empty."""
    if not settings.manage_db:
        return StartResult.EXTERNAL
    stop(settings)
    paths = Paths.of(settings)
    with _instance_lock(paths):
        if _server_process(paths, _read_pid(paths)) is not None:
            raise ServerError("Neo4j is running again (started concurrently); not deleting data")
        if paths.data.exists():
            log.info("deleting %s", paths.data)
            shutil.rmtree(paths.data)
    return start(settings)

