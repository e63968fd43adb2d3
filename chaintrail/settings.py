"""The one settings class: every knob, read from `CHAINTRAIL_*` environment variables.

Nothing else in the project reads the environment; the CLI or the API builds one `Settings`
and passes the values it needs down to the layers below.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from platformdirs import user_cache_path, user_data_path
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

NEO4J_VERSION = "5.26.12"
"""Pinned Neo4j 5.26 LTS patch: the newest one whose assembly POM *and* APOC Core jars
are both on Maven Central (checked 2026-11-23; see db/README.md)."""


class Settings(BaseSettings):
    """Configuration of chaintrail, from `CHAINTRAIL_<NAME>` variables (or a `.env` file)."""

    model_config = SettingsConfigDict(env_prefix="CHAINTRAIL_", env_file=".env", extra="ignore")

    home: Path = Field(
        default_factory=lambda: user_data_path("chaintrail"),
        description="Where the managed Neo4j keeps conf, data, logs and its password.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: user_cache_path("chaintrail"),
        description="Shared download cache (Neo4j and APOC jars), reused by every home.",
    )
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = Field(
        default=None,
        description="If unset, a password is generated once and kept in HOME/neo4j-password.",
    )
    neo4j_database: str = "neo4j"
    neo4j_http_port: int = 7474
    manage_db: bool = Field(
        default=True, description="Start/stop a local Neo4j; false for an external server."
    )
    neo4j_version: str = NEO4J_VERSION
    neo4j_heap: str = Field(default="1g", description="JVM heap (-Xms/-Xmx) of the managed server.")
    neo4j_pagecache: str = Field(default="1g", description="server.memory.pagecache.size")
    neo4j_tx_memory: str = Field(default="1g", description="db.memory.transaction.total.max")
    transaction_timeout_s: float = Field(
        default=120.0, gt=0, description="Server-side and driver-side transaction timeout."
    )
    neo4j_start_timeout_s: float = Field(default=120.0, gt=0)
    load_batch_txs: int = Field(
        default=1000, ge=1, description="Bitcoin transactions per write transaction."
    )
    load_writers: int = Field(
        default=2, ge=1, le=8, description="Write transactions in flight at once during loads."
    )
    cluster_warn_size: int = Field(
        default=1000, ge=1,
        description="Warn (with its txid) when a transaction merges two clusters above this size.",
    )
    log_level: str = "INFO"
    api_require_key: bool = Field(
        default=True,
        description="Every GraphQL and export request needs an API key (Authorization: Bearer "
                    "or X-API-Key); false only for a private single-user setup.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins allowed to call the API from a browser, as JSON: '
                    '["https://ui.example"].',
    )
    api_max_body_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest request body the API accepts (413)."
    )
    api_max_complexity: int = Field(
        default=5_000, ge=1, description="Largest GraphQL query cost (fields times list sizes)."
    )
    api_lookups_in_flight: int = Field(
        default=2, ge=1, le=64,
        description="Address lookups (one stored query each) running at once per API server "
                    "process; lookups of other requests that arrive meanwhile go together "
                    "in the next.",
    )
    api_load_root: Path | None = Field(
        default=None,
        description="If set, the admin load mutations read only files below this folder "
                    "(the API server's data folder); unset, any path the server can read.",
    )
    audit_log: Path | None = Field(
        default=None,
        description="Append-only JSON-lines audit log of API requests; HOME/audit.jsonl if unset.",
    )
    metrics_dir: Path | None = Field(
        default=None, validation_alias="PROMETHEUS_MULTIPROC_DIR",
        description="prometheus_client's multiprocess directory (its own variable, which it "
                    "reads too): set by `chaintrail serve --workers N` for its workers, so "
                    "that /metrics counts the requests of every server process.",
    )

    @field_validator("neo4j_uri")
    @classmethod
    def _uri_has_port(cls, v: str) -> str:
        parts = urlsplit(v)
        if not parts.scheme or not parts.hostname:
            raise ValueError(f"not a Neo4j URI: {v!r}")
        return v

    @property
    def bolt_port(self) -> int:
        """Bolt port of the managed server: the port of `neo4j_uri` (7687 if it has none)."""
        return urlsplit(self.neo4j_uri).port or 7687

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.home / "audit.jsonl"

    @property
    def password_file(self) -> Path:
        return self.home / "neo4j-password"
