"""The schema: the domain modules' resolvers on one Query type, with depth limits and the
masking of unexpected errors."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from api.schema import addresses as address_domain
from api.schema import blocks as block_domain
from api.schema import clusters as cluster_domain
from api.schema import tracing
from api.schema.scalars import SATOSHI, Satoshi

log = logging.getLogger(__name__)

MAX_DEPTH = 10


@strawberry.type
class Query:
    block: block_domain.BlockResult = strawberry.field(resolver=block_domain.block)
    transaction: block_domain.TransactionResult = strawberry.field(
        resolver=block_domain.transaction)
    address: address_domain.AddressResult = strawberry.field(resolver=address_domain.address)
    addresses: list[address_domain.AddressResult] = strawberry.field(
        resolver=address_domain.addresses)
    cluster: cluster_domain.ClusterResult = strawberry.field(resolver=cluster_domain.cluster)
    explain: cluster_domain.ExplainResult = strawberry.field(resolver=cluster_domain.explain)
    search: list[cluster_domain.SearchHit] = strawberry.field(resolver=cluster_domain.search)
    trace_forward: tracing.TraceResult = strawberry.field(resolver=tracing.trace_forward)
    trace_backward: tracing.TraceResult = strawberry.field(resolver=tracing.trace_backward)
    paths: tracing.PathsResult = strawberry.field(resolver=tracing.paths)


def _should_mask(error: GraphQLError) -> bool:
    """Validation errors (the client's query) stay visible; errors raised by a resolver are
    unexpected (expected ones are in the schema): logged in full, masked for the client."""
    if error.original_error is None:
        return False
    log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return True


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        config=StrawberryConfig(scalar_map={Satoshi: SATOSHI}),
        extensions=[lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
                    lambda: MaskErrors(should_mask_error=_should_mask)],
    )
