"""The API's gate: every HTTP request passes it before any route sees it.

In order, for each request:
1. a request id (the `X-Request-ID` response header, the audit line, masked-error logs);
2. the body cap: a declared `Content-Length` over the cap, or more bytes than the cap
   arriving (chunked bodies), is answered 413 before anything parses the body;
3. the key check on the protected routes: POST (or GET with a `query`) on /graphql and
   everything under /export. No key, or a malformed, unknown, revoked or wrong one: 401
   with `WWW-Authenticate: Bearer`; Neo4j unreachable while checking: 503 "database
   unavailable". The caller goes to `request.state.principal` (the GraphQL context and the
   export routes read it). The GraphiQL page (GET /graphql without a query) and the probes
   (/healthz, /readyz, /metrics) stay open;
4. the audit line, for every request to /graphql and /export (401s and 413s included).

It is a plain ASGI middleware (not BaseHTTPMiddleware) because it must count the body as it
streams and hand the buffered body on to the app. A path in `direct` (/graphql) is handed
straight to its ASGI app, past FastAPI's exception, dependency and routing layers, which it
does not use: 7% of the server's CPU per request under bench/api.py's load.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.audit import AuditLog, graphql_fields, now_iso, request_id
from api.auth import key_id
from api.context import Principal
from api.schema.errors import UNAVAILABLE
from chaintrail.errors import ChaintrailError

log = logging.getLogger(__name__)

Authenticate = Callable[[str], Awaitable[Principal | None]]


class BodyTooLarge(Exception):
    """The request body is over the cap."""


def api_path(path: str) -> bool:
    """The API proper (audited): GraphQL and exports, not the probes."""
    return (path == "/graphql" or path.startswith(("/graphql/", "/export/"))
            or path == "/export")


def route_path(scope: Scope) -> str:
    """The path the app routes by: without the `root_path` a proxy deployment mounts it
    under (`uvicorn --root-path /x` gives the path `/x/graphql`), as Starlette's router
    strips it. The gate decides on this path, so a mount prefix cannot make an API request
    look like an open one."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root):len(root) + 1] in ("/", ""):
        return path[len(root):] or "/"
    return path


def presented_key(headers: Headers) -> str | None:
    """The key in `Authorization: Bearer <key>` or `X-API-Key: <key>`, if any."""
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    key = headers.get("x-api-key", "").strip()
    return key or None


class Gate:
    """Request id, body cap, key check and audit line (see the module doc).

    `authenticate` is None when keys are not required: every caller is then `local`.
    """

    def __init__(self, app: ASGIApp, *, authenticate: Authenticate | None, local: Principal,
                 audit: AuditLog, max_body: int,
                 direct: Mapping[str, ASGIApp] | None = None) -> None:
        self.app = app
        self.direct = dict(direct or {})
        # Request ids: a random prefix per process and a counter, 32 hex digits as a uuid4's,
        # unique across the server's processes; uuid4 per request read the kernel's random
        # source each time (1.3% of the server's CPU under bench/api.py's load).
        prefix = uuid.uuid4().hex[:16]
        self._ids = (f"{prefix}{n:016x}" for n in itertools.count())
        self.authenticate = authenticate
        self.local = local
        self.audit = audit
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = next(self._ids)
        token = request_id.set(rid)
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        path = route_path(scope)
        audited = api_path(path)
        entry: dict[str, Any] = {
            "time": now_iso(), "request_id": rid, "key_id": None, "key_name": None,
            "role": None, "claimed_key_id": None,
            "client": scope["client"][0] if scope.get("client") else None,
            "method": scope["method"], "path": path}
        try:
            await self._serve(scope, receive, send_with_id, entry)
        except Exception:
            status = status or 500  # what the server's error handler will answer
            raise
        finally:
            request_id.reset(token)
            if audited:
                entry["status"] = status
                entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
                try:
                    self.audit.write(entry)
                except OSError:
                    log.exception("cannot write the audit log %s", self.audit.path)

    async def _serve(self, scope: Scope, receive: Receive, send: Send,
                     entry: dict[str, Any]) -> None:
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._too_large(scope, receive, send)
            return
        try:
            body = await self._read_body(receive)
        except BodyTooLarge:
            await self._too_large(scope, receive, send)
            return
        path, method = route_path(scope), scope["method"]
        query_string = scope.get("query_string", b"").decode("latin-1")
        if path == "/graphql" or path.startswith("/graphql/"):
            entry.update(graphql_fields(self._graphql_payload(method, body, query_string)))
        protected = api_path(path) and not (
            path.startswith("/graphql") and method in ("GET", "HEAD")
            and "query" not in parse_qs(query_string))
        principal = self.local
        if protected and self.authenticate is not None:
            key = presented_key(headers)
            if key is not None:
                entry["claimed_key_id"] = key_id(key)
            try:
                found = await self.authenticate(key) if key is not None else None
            except ChaintrailError as e:
                log.warning("cannot check an API key: %s", e)
                await JSONResponse({"error": "database unavailable",
                                    "message": UNAVAILABLE},
                                   status_code=503)(scope, receive, send)
                return
            if found is None:
                await self._unauthorized(scope, receive, send, presented=key is not None)
                return
            principal = found
        if protected:
            entry.update(key_id=principal.key_id, key_name=principal.name,
                         role=principal.role)
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["request_id"] = entry["request_id"]
        await self.direct.get(path, self.app)(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive) -> bytes:
        """The whole body, counted as it arrives; BodyTooLarge past the cap."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    def _graphql_payload(method: str, body: bytes, query_string: str) -> Any:
        if method == "GET":
            return {k: v[0] for k, v in parse_qs(query_string).items()}
        try:
            return json.loads(body) if body else None
        except ValueError:
            return None

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse({"error": "request body too large",
                            "message": f"the body is over {self.max_body} bytes"},
                           status_code=413)(scope, receive, send)

    @staticmethod
    async def _unauthorized(scope: Scope, receive: Receive, send: Send, *,
                            presented: bool) -> None:
        challenge = 'Bearer realm="chaintrail"'
        if presented:
            challenge += ', error="invalid_token"'
        message = ("the API key is not valid (unknown, revoked or mistyped)" if presented else
                   "an API key is needed: Authorization: Bearer <key> or X-API-Key: <key>")
        await JSONResponse({"error": "unauthorized", "message": message}, status_code=401,
                           headers={"WWW-Authenticate": challenge})(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the buffered body once, then what the client sends (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
