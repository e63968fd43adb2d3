"""Per-request GraphQL context: the app's graph layer, the caller, and fresh DataLoaders.

DataLoaders live exactly one request: they batch the lookups of one query and cache nothing
across requests (or users).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from strawberry.fastapi import BaseContext

from api.jobs import Jobs
from api.schema.dataloaders import Loaders
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


class Context(BaseContext):
    """What a resolver gets: the graph layer, the caller (set by the app's gate from the API
    key; None outside an app, which `require` refuses), fresh DataLoaders, and the app's
    jobs (admin mutations)."""

    def __init__(self, graph: AsyncGraph, principal: Principal | None = None, *,
                 jobs: Jobs | None = None) -> None:
        super().__init__()
        self.graph = graph
        self.principal = principal
        self.loaders = Loaders(graph)
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


def context_getter_for(graph_of: Callable[[], AsyncGraph],
                       jobs: Jobs | None = None) -> Callable[..., Awaitable[Context]]:
    """A FastAPI dependency building the context from the app's state and the caller the
    gate put in `request.state.principal`."""

    async def get_context(request: Request) -> Context:
        return Context(graph_of(), getattr(request.state, "principal", None), jobs=jobs)

    return get_context
