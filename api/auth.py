"""API keys: made, parsed, hashed and checked here; stored as `(:ApiKey)` nodes in Neo4j.

A key reads `ct_<id>_<secret>`: `id` (12 hex digits) names the stored node, so a check is one
lookup by a unique id; `secret` is 32 random bytes (`secrets.token_urlsafe`). Neo4j keeps the
SHA-256 of the whole key, never the key: whoever reads the database (or a backup) cannot
call the API with what they read.

Why SHA-256 and not a slow password hash (bcrypt, scrypt, Argon2): a slow hash protects
*guessable* secrets from a brute force of a stolen hash. A 256-bit random secret cannot be
guessed at any hashing speed, so a fast hash loses nothing, and it keeps the check cheap on
every request. Hashes are compared with `hmac.compare_digest` (constant time).

`KeyChecker` caches the principal of a key that checked out, per app, for a short TTL
(30 s by default), so a request does not cost a Neo4j round trip each time: a revoked key
keeps working for at most that long in an API process that saw it just before.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from api.context import ROLES, Principal, Role
from chaintrail.errors import NotFound, ParameterError
from cypher.runner import AsyncGraph, Graph, Row

log = logging.getLogger(__name__)

PREFIX = "ct"
_KEY_RE = re.compile(r"^ct_(?P<id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")

DEFAULT_TTL_S = 30.0
"""How long an API process trusts a key it has checked (and so how long a revoke can take)."""

LOCAL = Principal(key_id="local", name="local", role="admin")
"""Everyone, when `api_require_key` is off: a single-user setup on a trusted machine only."""


# --- pure: the key itself ---------------------------------------------------------------

def new_key() -> str:
    """A fresh key: `ct_<12 hex id>_<43 url-safe characters = 256 random bits>`."""
    return f"{PREFIX}_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def key_id(key: str) -> str | None:
    """The id in a well-formed key, else None (a malformed key names nothing)."""
    m = _KEY_RE.match(key)
    return m.group("id") if m else None


def key_hash(key: str) -> str:
    """What is stored for a key: the hex SHA-256 of the whole key (see the module doc)."""
    return hashlib.sha256(key.encode()).hexdigest()


def matches(key: str, stored_hash: str) -> bool:
    """Whether `key` is the one `stored_hash` was made from, in constant time."""
    return hmac.compare_digest(key_hash(key), stored_hash)


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise ParameterError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return role


def principal_of(key: str, row: Row | None) -> Principal | None:
    """The caller a presented key stands for, given its stored row (`apikey/get`): None when
    there is no row, the key is revoked, or the hash does not match."""
    if row is None or row["revoked_at"] is not None or not matches(key, row["hash"]):
        return None
    return Principal(key_id=row["id"], name=row["name"], role=check_role(row["role"]))


# --- the store (sync Graph: the CLI and tests) -----------------------------------------

def add_key(graph: Graph, key: str, *, role: str, name: str) -> str:
    """Store `key` (its hash) with a role and a name; its id."""
    kid = key_id(key)
    if kid is None:
        raise ParameterError("not an API key of the form ct_<id>_<secret>")
    params: dict[str, Any] = {"id": kid, "name": name, "role": check_role(role),
                              "hash": key_hash(key)}
    graph.write(lambda tx: graph.run_write(tx, "apikey/create", params), "apikey/create")
    return kid


def create_key(graph: Graph, *, role: str, name: str) -> tuple[str, str]:
    """A new key, stored: (the key, shown once and never again; its id)."""
    key = new_key()
    return key, add_key(graph, key, role=role, name=name)


def get_key(graph: Graph, kid: str) -> Row | None:
    rows = graph.read("apikey/get", {"id": kid})
    return rows[0] if rows else None


def list_keys(graph: Graph) -> list[Row]:
    """Every key's id, name, role, created_at and revoked_at (no hashes)."""
    return graph.read("apikey/list")


def revoke_key(graph: Graph, kid: str) -> bool:
    """Revoke a key: True if this call revoked it, False if it already was; NotFound if
    there is no such key."""
    counters = graph.write(lambda tx: graph.run_write(tx, "apikey/revoke", {"id": kid}),
                           "apikey/revoke")
    if counters.get("properties_set", 0):
        return True
    if get_key(graph, kid) is None:
        raise NotFound(f"no API key with id {kid!r}")
    return False


# --- the check (AsyncGraph: the API) ---------------------------------------------------

class KeyChecker:
    """Checks presented keys against Neo4j, caching the principals of good keys for `ttl_s`
    (per app instance; bad keys are never cached, so a new key works at once).

    Database errors propagate (DatabaseUnavailable etc.): the caller answers 503, not 401,
    since the key may well be good."""

    def __init__(self, graph_of: Callable[[], AsyncGraph], *, ttl_s: float = DEFAULT_TTL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._graph_of = graph_of
        self._ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[Principal, float]] = {}

    async def principal(self, key: str) -> Principal | None:
        """The caller `key` stands for, or None (malformed, unknown, revoked, wrong)."""
        kid = key_id(key)
        if kid is None:
            return None
        digest = key_hash(key)
        now = self._clock()
        hit = self._cache.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        rows = await self._graph_of().read("apikey/get", {"id": kid})
        who = principal_of(key, rows[0] if rows else None)
        if who is None:
            self._cache.pop(digest, None)
            return None
        if len(self._cache) > 1000:  # drop what expired; good keys are few
            self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
        self._cache[digest] = (who, now + self._ttl_s)
        return who
