"""The audit log: one JSON line per API request, appended, for an investigation's chain of
custody (who asked what, when, and what the answer's status was).

A line, keys in this order:

    time         UTC, ISO 8601 with milliseconds
    request_id   also sent back as the X-Request-ID header and named in the server log of a
                 masked (unexpected) error
    key_id, key_name, role    the caller; null when it was refused (401) or no key was needed
    claimed_key_id            the id in the key presented, checked or not (a 401's suspect)
    client       the peer's IP address
    method, path, status, duration_ms
    operation    GraphQL operation name (given, or the first named operation in the query)
    query        GraphQL query text, cut at MAX_TEXT characters
    variables    GraphQL variables; when their JSON is longer than MAX_TEXT, that JSON cut
                 at MAX_TEXT as a string, and `truncated` is true

Each line is written with one `write` on a file opened in append mode and flushed at once
(not fsynced: a crash of the machine may lose the last lines, a crash of the process does
not). A lock keeps lines whole when threads write; asyncio requests never interleave inside
the synchronous write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

MAX_TEXT = 4000

request_id: ContextVar[str | None] = ContextVar("chaintrail_request_id", default=None)
"""The id of the API request being served (set by the app's gate), for log records."""

_OPERATION_RE = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def graphql_fields(payload: Any) -> dict[str, Any]:
    """operation, query and variables of a GraphQL request body or GET parameters (a dict),
    bounded; {} for anything else."""
    if not isinstance(payload, dict):
        return {}
    query = payload.get("query")
    query = query if isinstance(query, str) else None
    operation = payload.get("operationName")
    if not isinstance(operation, str) or not operation:
        m = _OPERATION_RE.search(query or "")
        operation = m.group(1) if m else None
    out: dict[str, Any] = {"operation": operation,
                           "query": query[:MAX_TEXT] if query is not None else None}
    variables = payload.get("variables")
    if isinstance(variables, str):  # GET parameters carry them as JSON text
        with contextlib.suppress(ValueError):
            variables = json.loads(variables)
    text = json.dumps(variables, ensure_ascii=False, default=str)
    if len(text) > MAX_TEXT:
        out["variables"] = text[:MAX_TEXT]
        out["truncated"] = True
    else:
        out["variables"] = variables
    if query is not None and len(query) > MAX_TEXT:
        out["truncated"] = True
    return out


class AuditLog:
    """An append-only JSON-lines file, opened on the first line (mode 0600: queries name
    the addresses under investigation), closed by the app's lifespan."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                self._file = os.fdopen(fd, "a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
