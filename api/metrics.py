"""Prometheus metrics: request counts and latencies per route, Neo4j errors.

One registry per app (not the process-global default), so two apps in one process (tests)
never share counters. Under `chaintrail serve --workers N` the counters live in
prometheus_client's multiprocess files instead (`metrics_dir`, PROMETHEUS_MULTIPROC_DIR), and
/metrics sums every server process: one process alone would report only its own share.

The middleware is plain ASGI: Starlette's `@app.middleware("http")` form wraps every request
in extra tasks and streams, measurable at hundreds of requests/s.
"""

from __future__ import annotations

import time
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})


def route_label(path: str) -> str:
    """The path as a label, from a fixed set: a client sending random paths must not grow
    the metrics without bound."""
    if path in ROUTES:
        return path
    if path.startswith("/export/"):
        return "/export/{format}"
    return "other"


class Metrics:
    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        self.requests = Counter("chaintrail_http_requests_total", "HTTP requests",
                                ["path", "status"], registry=self.registry)
        self.latency = Histogram("chaintrail_http_request_seconds", "HTTP request latency",
                                 ["path"], registry=self.registry)
        self.neo4j_queries = Counter("chaintrail_neo4j_queries", "Stored queries run",
                                     registry=self.registry)
        self.neo4j_errors = Counter("chaintrail_neo4j_errors_total",
                                    "Neo4j errors seen by the API", ["kind"],
                                    registry=self.registry)

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """ASGI middleware counting each HTTP request by route and status, with its latency
        (until the response has started)."""

        async def measured(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            start = time.perf_counter()
            status = 500  # if the app raises before it starts a response

            async def send_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            path = route_label(scope["path"])
            try:
                await app(scope, receive, send_status)
            finally:
                self.requests.labels(path, str(status)).inc()
                self.latency.labels(path).observe(time.perf_counter() - start)

        return measured

    def render(self) -> bytes:
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()  # every server process's files, summed
        MultiProcessCollector(merged, path=str(self.multiprocess_dir))  # type: ignore[no-untyped-call]
        return generate_latest(merged)
