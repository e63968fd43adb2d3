"""Per-request GraphQL context: the app's graph layer and fresh DataLoaders.

DataLoaders live exactly one request: they batch the lookups of one query and cache nothing
across requests (or users).
"""

from __future__ import annotations

from typing import Any

from strawberry.fastapi import BaseContext

from api.schema.dataloaders import Loaders
from cypher.runner import AsyncGraph


class Context(BaseContext):
    def __init__(self, graph: AsyncGraph) -> None:
        super().__init__()
        self.graph = graph
        self.loaders = Loaders(graph)


def context_getter_for(graph_of: Any) -> Any:
    """A FastAPI dependency building the context from the app's state."""

    async def get_context() -> Context:
        return Context(graph_of())

    return get_context
