"""Prometheus metrics: request counts and latencies per route, Neo4j errors.

One registry per app (not the process-global default), so two apps in one process (tests)
never share counters.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response


class Metrics:
    def __init__(self) -> None:
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

    async def middleware(self, request: Request,
                         call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        path = request.url.path
        self.requests.labels(path, str(response.status_code)).inc()
        self.latency.labels(path).observe(time.perf_counter() - start)
        return response

    def render(self) -> bytes:
        return generate_latest(self.registry)
