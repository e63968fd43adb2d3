"""Neo4j driver factory and the translation of driver exceptions into chaintrail errors.

Every layer that talks to Neo4j gets its driver here, so the password rule (settings first,
then the generated password file of the managed server) and the error mapping live in one place.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, LiteralString, ParamSpec, TypeVar

import neo4j
from neo4j import exceptions as nex

from chaintrail.errors import (
    ConfigError,
    DatabaseUnavailable,
    QueryMemoryLimit,
    QueryTimeout,
)
from chaintrail.settings import Settings

log = logging.getLogger(__name__)

USER_AGENT = "chaintrail"

TIMEOUT_CODES = frozenset(
    {
        # db.transaction.timeout (server config) ran out
        "Neo.ClientError.Transaction.TransactionTimedOut",
        # the timeout the client sent with the transaction ran out
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)
"""Neo4j 5.26 status codes of a transaction stopped by a timeout (checked against the server:
both the server-side `db.transaction.timeout` and a client timeout report the second one)."""

MEMORY_LIMIT_CODE = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
"""A transaction went over `db.memory.transaction.total.max` (or the heap's pool)."""

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    nex.ServiceUnavailable,
    nex.SessionExpired,
    OSError,
)


def resolve_password(settings: Settings) -> str | None:
    """The password to log in with: `neo4j_password` if set, else the managed password file."""
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    try:
        password = settings.password_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(
            f"cannot read the Neo4j password file {settings.password_file}: {e}"
        ) from e
    return password or None


def require_password(settings: Settings) -> str:
    """Like `resolve_password`, but a missing password is a configuration error."""
    password = resolve_password(settings)
    if password is None:
        raise ConfigError(
            "no Neo4j password: set CHAINTRAIL_NEO4J_PASSWORD, or run `chaintrail db start` "
            f"once so that one is generated into {settings.password_file}"
        )
    return password


def _driver_config(connection_timeout_s: float, retry_time_s: float = 30.0) -> dict[str, Any]:
    return {
        "user_agent": USER_AGENT,
        "connection_timeout": connection_timeout_s,
        "connection_acquisition_timeout": max(60.0, connection_timeout_s),
        "max_transaction_retry_time": retry_time_s,
        # Stored queries read optional properties (e.g. `bip34_height`) that may not exist in
        # a young database; the server's "property key does not exist" notices are noise. So
        # is the deprecation of `id()`, used on purpose by cluster/pending (see its header).
        "notifications_disabled_classifications": ["UNRECOGNIZED", "SCHEMA", "DEPRECATION"],
    }


def open_driver(
    settings: Settings, *, verify: bool = True, connection_timeout_s: float = 10.0
) -> neo4j.Driver:
    """A driver for `settings.neo4j_uri`; with `verify`, checks that the server answers.

    Raises DatabaseUnavailable when it cannot connect or log in (the driver is closed then).
    """
    auth = (settings.neo4j_user, require_password(settings))
    driver = neo4j.GraphDatabase.driver(
        settings.neo4j_uri, auth=auth, **_driver_config(connection_timeout_s)
    )
    if verify:
        try:
            with translate_errors(settings):
                driver.verify_connectivity()
        except BaseException:
            driver.close()
            raise
    return driver


async def open_async_driver(
    settings: Settings, *, verify: bool = True, connection_timeout_s: float = 10.0,
    retry_time_s: float = 30.0,
) -> neo4j.AsyncDriver:
    """Async twin of `open_driver` (for the API server); must be awaited because it verifies.

    The API passes short timeouts: a request must fail fast when Neo4j is down, not hang."""
    auth = (settings.neo4j_user, require_password(settings))
    driver = neo4j.AsyncGraphDatabase.driver(
        settings.neo4j_uri, auth=auth, **_driver_config(connection_timeout_s, retry_time_s)
    )
    if verify:
        try:
            with translate_errors(settings):
                await driver.verify_connectivity()
        except BaseException:
            await driver.close()
            raise
    return driver


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def is_timeout_error(exc: BaseException) -> bool:
    """True if `exc` (or an exception it was raised from) is Neo4j stopping a timed-out query."""
    for e in _chain(exc):
        if isinstance(e, QueryTimeout):
            return True
        if isinstance(e, nex.Neo4jError) and e.code in TIMEOUT_CODES:
            return True
    return False


@contextmanager
def translate_errors(settings: Settings | None = None) -> Iterator[None]:
    """Re-raise driver exceptions as chaintrail errors; everything else passes unchanged.

    timeout -> QueryTimeout; over the transaction memory limit -> QueryMemoryLimit; cannot
    connect / log in -> DatabaseUnavailable. Works around
    `await` too, since exceptions propagate through a plain `with` in async code.
    """
    where = f" at {settings.neo4j_uri}" if settings is not None else ""
    try:
        try:
            yield
        except _NoRetryError as e:
            raise e.error from None
    except nex.AuthError as e:
        user = f" as {settings.neo4j_user!r}" if settings is not None else ""
        raise DatabaseUnavailable(
            f"Neo4j{where} refused the login{user}: {e.message or e}. The password comes from "
            "CHAINTRAIL_NEO4J_PASSWORD or the password file of the managed server"
        ) from e
    except nex.Neo4jError as e:
        if is_timeout_error(e):
            raise QueryTimeout(
                f"Neo4j stopped the query at the transaction timeout ({e.code}): {e.message}"
            ) from e
        if e.code == MEMORY_LIMIT_CODE:
            raise QueryMemoryLimit(
                f"the query needs more memory than the transaction limit allows: {e.message} "
                "(raise CHAINTRAIL_NEO4J_TX_MEMORY, or make the query smaller)"
            ) from e
        raise
    except _CONNECTION_ERRORS as e:
        raise DatabaseUnavailable(f"cannot reach Neo4j{where}: {e}") from e


class _NoRetryError(Exception):
    """Carries a Neo4j error out of a transaction function without the driver retrying it
    (`translate_errors` unwraps it)."""

    def __init__(self, error: nex.Neo4jError) -> None:
        super().__init__(str(error))
        self.error = error


P = ParamSpec("P")
T = TypeVar("T")


def _no_retry_if_memory_limit(e: nex.Neo4jError) -> None:
    if e.code == MEMORY_LIMIT_CODE:
        raise _NoRetryError(e) from e


def fail_fast(work: Callable[P, T]) -> Callable[P, T]:
    """A transaction function whose memory-limit error is not retried. The driver counts that
    error as transient and retries it for about 30 s, although the same query fails the same
    way every time. Keeps `unit_of_work` metadata (apply it inside)."""

    @functools.wraps(work)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return work(*args, **kwargs)
        except nex.Neo4jError as e:
            _no_retry_if_memory_limit(e)
            raise

    return wrapper


def fail_fast_async(work: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """`fail_fast` for an async transaction function."""

    @functools.wraps(work)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await work(*args, **kwargs)
        except nex.Neo4jError as e:
            _no_retry_if_memory_limit(e)
            raise

    return wrapper


def run_guarded(
    driver: neo4j.Driver,
    settings: Settings,
    cypher: LiteralString,
    parameters: Mapping[str, Any] | None = None,
    *,
    write: bool = False,
) -> list[neo4j.Record]:
    """Run one query in a managed transaction with the client-side timeout of the settings.

    The server also enforces `db.transaction.timeout` (managed servers only); sending the
    timeout from the client covers external servers too. A query over the transaction memory
    limit fails at once: the driver would otherwise retry that "transient" error for ~30 s
    although it fails the same way every time. Errors come out translated.
    """
    params = dict(parameters or {})

    @fail_fast
    def work(tx: neo4j.ManagedTransaction) -> list[neo4j.Record]:
        return list(tx.run(cypher, params))

    unit = neo4j.unit_of_work(timeout=settings.transaction_timeout_s)(work)
    with translate_errors(settings), driver.session(database=settings.neo4j_database) as session:
        if write:
            return session.execute_write(unit)
        return session.execute_read(unit)


@dataclass(frozen=True)
class Probe:
    """Outcome of one readiness check: `ok`, or why not (`auth_failed` set for a bad login)."""

    ok: bool
    auth_failed: bool
    detail: str


def probe(settings: Settings, password: str | None, *, connection_timeout_s: float = 3.0) -> Probe:
    """Can we log in and run `RETURN 1` on the configured database right now?

    Used to decide that a server is up: a Bolt port that accepts connections is not enough,
    because the server authenticates against (and we query) databases that start later.
    """
    auth = (settings.neo4j_user, password) if password is not None else None
    try:
        with neo4j.GraphDatabase.driver(
            settings.neo4j_uri,
            auth=auth,
            # no retries: the caller polls, and a down server must fail fast
            **_driver_config(connection_timeout_s, retry_time_s=0.0),
        ) as driver:
            driver.execute_query(
                "RETURN 1",
                database_=settings.neo4j_database,
                routing_=neo4j.RoutingControl.READ,
            )
    except nex.AuthError as e:
        return Probe(False, True, f"login refused: {e.message or e}")
    except (nex.Neo4jError, nex.DriverError, OSError) as e:
        msg = e.message if isinstance(e, nex.Neo4jError) and e.message else str(e)
        return Probe(False, False, f"{type(e).__name__}: {msg}")
    return Probe(True, False, "Bolt answers")
