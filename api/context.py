"""Per-request GraphQL context: the app's graph layer, the caller, and fresh DataLoaders.

DataLoaders live exactly one request: they batch the lookups of one query and cache nothing
across requests (or users). Their queries go through the app's one `Coalescer`, which runs
the lookups of concurrent requests together and keeps nothing either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.jobs import Jobs
from api.schema.dataloaders import Coalescer, Loaders
from chaintrail.errors import PermissionDenied
from cypher.runner import AsyncGraph

Role = Literal["reader", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("reader", "analyst", "admin")
"""Each role may do what the ones before it may: reader reads; analyst also writes cases;
admin also runs loads and cluster rebuilds."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the API key's id, its name and its role."""

    key_id: str
    name: str
    role: Role

    def may(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class Context:
    """What a resolver gets: the graph layer, the caller (set by the app's gate from the API
    key; None outside an app, which `require` refuses), fresh DataLoaders (on the app's
    coalescer; outside an app, one of their own), and the app's jobs (admin mutations)."""

    def __init__(self, graph: AsyncGraph, principal: Principal | None = None, *,
                 jobs: Jobs | None = None, coalescer: Coalescer | None = None) -> None:
        self.graph = graph
        self.principal = principal
        self.loaders = Loaders(coalescer or Coalescer(graph))
        self._jobs = jobs

    @property
    def jobs(self) -> Jobs:
        if self._jobs is None:
            raise RuntimeError("this context has no job runner (built outside create_app)")
        return self._jobs

    def require(self, role: Role) -> Principal:
        """The caller, if its role allows `role`'s rights; else PermissionDenied (a typed
        error in the schema via or_problem)."""
        p = self.principal
        if p is None or not p.may(role):
            have = p.role if p else "no key"
            raise PermissionDenied(f"this needs the {role} role; the key has {have}")
        return p


class GraphQLEndpoint(GraphQL[Context, None]):
    """/graphql: strawberry's own ASGI app, routed to directly rather than through FastAPI's
    GraphQLRouter, whose per-request dependency solving and request handling cost CPU on every
    request: under bench/api.py's load (wrk, one server process) 975-1,116 requests/s against
    838-914 through the router. The context is built from the app's
    state and the caller the gate put in the request's state."""

    def __init__(self, schema: strawberry.Schema, graph_of: Callable[[], AsyncGraph],
                 jobs: Jobs | None = None,
                 coalescer_of: Callable[[], Coalescer] | None = None) -> None:
        super().__init__(schema)
        self._graph_of = graph_of
        self._jobs = jobs
        self._coalescer_of = coalescer_of

    async def get_context(self, request: Request | WebSocket,
                          response: Response | WebSocket) -> Context:
        return Context(self._graph_of(), getattr(request.state, "principal", None),
                       jobs=self._jobs,
                       coalescer=self._coalescer_of() if self._coalescer_of else None)
