"""Exposure: `exposure(target, direction, ...)`, the CLI's `chaintrail exposure` through
GraphQL (the same steps, analysis.exposure.exposure_steps, driven by the API's AsyncGraph):
how much of what an address or a cluster received (sent) came from (went to) each tag
category, directly or through untagged intermediaries."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from analysis.exposure import Exposure, ExposureLimits, exposure_steps, parse_target
from analysis.steps import run_async
from api.schema.errors import Problem, or_problem
from api.schema.scalars import Satoshi
from loaders.bitcoin.address import decode_address


@strawberry.enum
class ExposureDirection(Enum):
    RECEIVED = "received"
    SENT = "sent"


@strawberry.type
class CategoryExposure:
    category: str
    direct_value: Satoshi
    indirect_value: Satoshi
    share: float = strawberry.field(
        description="(direct + indirect) / total, rounded to 6 places, as the CLI reports it.")


@strawberry.type
class NotExposure:
    """What is not exposure, so that the amounts add up to the total."""

    own: Satoshi
    untagged: Satoshi
    unknown: Satoshi
    cut: Satoshi


@strawberry.type
class ExposureResultType:
    target: str
    direction: ExposureDirection
    max_hops: int
    total: Satoshi
    output_count: int
    rows: list[CategoryExposure]
    not_exposure: NotExposure
    txs_visited: int
    truncated: bool
    truncation: list[str]


ExposureResult = Annotated[ExposureResultType | Problem, strawberry.union("ExposureResult")]


def _result(e: Exposure) -> ExposureResultType:
    return ExposureResultType(
        target=e.target, direction=ExposureDirection(e.direction), max_hops=e.max_hops,
        total=Satoshi(e.total), output_count=e.output_count, txs_visited=e.txs_visited,
        truncated=bool(e.truncated), truncation=e.truncated,
        rows=[CategoryExposure(category=r.category, direct_value=Satoshi(r.direct_value),
                               indirect_value=Satoshi(r.indirect_value), share=r.share)
              for r in e.rows],
        not_exposure=NotExposure(own=Satoshi(e.own), untagged=Satoshi(e.untagged),
                                 unknown=Satoshi(e.unknown), cut=Satoshi(e.cut)))


async def exposure(info: strawberry.Info, target: str,
                   direction: ExposureDirection = ExposureDirection.RECEIVED,
                   max_hops: int = 3, max_txs: int = 10_000,
                   max_fanout: int = 1_000) -> ExposureResult:
    """Exposure of an address, or of a whole cluster ('cluster:<id>'), by tag category."""

    async def work() -> ExposureResult:
        tgt = parse_target(target)
        decode_address(tgt.id)  # InvalidAddress, before any query (as the CLI)
        limits = ExposureLimits(max_hops=max_hops, max_txs=max_txs, max_fanout=max_fanout)
        e = await run_async(info.context.graph, exposure_steps(
            tgt, "received" if direction is ExposureDirection.RECEIVED else "sent", limits))
        return _result(e)

    return await or_problem(work)


@strawberry.type
class Query:
    exposure: ExposureResult = strawberry.field(resolver=exposure)
