"""The schema: each domain module's `Query` (and `Mutation`) merged into one, with depth
limits and the masking of unexpected errors.

A domain adds itself by appending its module to QUERY_DOMAINS / MUTATION_DOMAINS; nothing else
here changes.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from api.audit import request_id
from api.schema import (
    addresses,
    admin,
    blocks,
    cases,
    clusters,
    exposure,
    search,
    tags,
    taint,
    tracing,
    transactions,
)
from api.schema.complexity import limiters
from api.schema.scalars import AMOUNT, SATOSHI, Amount, Satoshi
from chaintrail.settings import Settings

log = logging.getLogger(__name__)

MAX_DEPTH = 10
DEFAULT_MAX_COMPLEXITY: int = Settings.model_fields["api_max_complexity"].default

QUERY_DOMAINS: tuple[Any, ...] = (blocks, transactions, addresses, clusters, tags, search,
                                  tracing, taint, exposure, cases, admin)
MUTATION_DOMAINS: tuple[Any, ...] = (cases, admin)

Query = merge_types("Query", tuple(m.Query for m in QUERY_DOMAINS))
Mutation = (merge_types("Mutation", tuple(m.Mutation for m in MUTATION_DOMAINS))
            if MUTATION_DOMAINS else None)


def _should_mask(error: GraphQLError) -> bool:
    """Validation errors (the client's query) and variable errors (a value that does not fit
    its type: they have no path, as nothing ran yet) stay visible; errors raised by a resolver
    are unexpected (expected ones are in the schema): logged in full, masked for the client."""
    if error.original_error is None or error.path is None:
        return False
    log.error("unexpected error in %s (request %s)", error.path, request_id.get(),
              exc_info=error.original_error)
    return True


def build_schema(max_complexity: int = DEFAULT_MAX_COMPLEXITY) -> strawberry.Schema:
    """The schema; `max_complexity` is the largest query cost (complexity.py) it runs."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map={Satoshi: SATOSHI, Amount: AMOUNT}),
        extensions=[*limiters(max_complexity, MAX_DEPTH),
                    lambda: MaskErrors(should_mask_error=_should_mask)],
    )
