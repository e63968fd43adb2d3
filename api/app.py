"""The API: a FastAPI app built by `create_app`, GraphQL (strawberry) at /graphql.

The lifespan opens the one AsyncDriver of the process and closes it; when Neo4j is down at
start the app still starts (`/readyz` says 503) and recovers by itself when Neo4j returns,
because every request opens its own session on the driver's pool.

Around the routes, outermost first: CORS (only when `settings.cors_origins` names some), the
Prometheus metrics, then the gate (api/gate.py: request id, body cap, API keys, audit log),
which hands /graphql to strawberry directly.
With `settings.api_require_key` off every caller is the admin `local`: for a single user on
a trusted machine only.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from api.audit import AuditLog
from api.auth import DEFAULT_TTL_S, LOCAL, KeyChecker
from api.context import GraphQLEndpoint
from api.export import export_router
from api.gate import Gate
from api.jobs import Jobs
from api.metrics import Metrics
from api.schema.dataloaders import Coalescer
from api.schema.errors import UNAVAILABLE
from api.schema.root import build_schema
from chaintrail.errors import ChaintrailError
from chaintrail.runtime import fewer_collections
from chaintrail.settings import Settings
from cypher.registry import Registry
from cypher.runner import AsyncGraph
from db.driver import open_async_driver

log = logging.getLogger(__name__)


def freeze_startup_heap() -> None:
    """Move everything built so far (the schema, graphql-core's and strawberry's types, the
    stored queries, imported modules) out of the garbage collector's reach: they live as long
    as the process, yet every full collection walked them all, stalling the event loop for
    tens of milliseconds under load. Measured with bench/api.py's load (wrk, 32 clients, one
    server process): p95 132-168 ms before, 49-82 ms after; requests/s 614-742 before,
    742-993 after."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *,
               key_ttl_s: float = DEFAULT_TTL_S) -> FastAPI:
    """The app; `key_ttl_s` is how long a checked API key is trusted without asking Neo4j
    again (so how long a revoke can take to bite in this process)."""
    settings = settings or Settings()
    metrics = Metrics(settings.metrics_dir)
    state: dict[str, Any] = {}
    audit = AuditLog(settings.audit_path)
    jobs = Jobs(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        driver = await open_async_driver(settings, verify=False, connection_timeout_s=3.0,
                                         retry_time_s=3.0)
        graph = AsyncGraph(driver, Registry.load(), database=settings.neo4j_database,
                           timeout_s=settings.transaction_timeout_s)
        graph.on_query = lambda _name: metrics.neo4j_queries.inc()
        graph.on_error = lambda e: metrics.neo4j_errors.labels(type(e).__name__).inc()
        try:
            await graph.ping()
        except ChaintrailError as e:
            log.warning("Neo4j is not reachable yet (%s); /readyz says 503 until it is", e)
        state["graph"] = graph
        state["coalescer"] = Coalescer(graph, in_flight=settings.api_lookups_in_flight)
        freeze_startup_heap()
        try:
            with fewer_collections():  # requests: 1,175-1,263 req/s against 1,139-1,200
                yield
        finally:
            await jobs.close()
            await driver.close()
            audit.close()

    app = FastAPI(title="chaintrail", lifespan=lifespan)

    def graph() -> AsyncGraph:
        graph: AsyncGraph = state["graph"]
        return graph

    def coalescer() -> Coalescer:
        coalescer: Coalescer = state["coalescer"]
        return coalescer

    keys = KeyChecker(graph, ttl_s=key_ttl_s)
    endpoint = GraphQLEndpoint(build_schema(settings.api_max_complexity), graph, jobs, coalescer)
    app.add_middleware(Gate, authenticate=keys.principal if settings.api_require_key else None,
                       local=LOCAL, audit=audit, max_body=settings.api_max_body_bytes,
                       direct={"/graphql": endpoint})
    app.add_middleware(metrics.middleware)
    if settings.cors_origins:  # none (the default): no layer that every request crosses
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type"],
                           expose_headers=["X-Request-ID"], max_age=600)

    app.router.routes.append(Route(  # HTTP goes straight from the gate; this serves the rest
        "/graphql", endpoint, methods=["GET", "POST"]))
    app.include_router(export_router(graph))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is alive (says nothing about Neo4j)."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Neo4j answers: 200, else 503 with the reason, in the words clients get elsewhere
        (the probe needs no key: the database's address and the driver's words go to the
        server log only)."""
        try:
            await graph().ping()
        except ChaintrailError as e:
            metrics.neo4j_errors.labels(type(e).__name__).inc()
            log.warning("/readyz: %s", e)
            return JSONResponse({"status": "unavailable", "reason": UNAVAILABLE},
                                status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics")
    async def prometheus() -> PlainTextResponse:
        return PlainTextResponse(metrics.render().decode(),
                                 media_type="text/plain; version=0.0.4")

    return app
