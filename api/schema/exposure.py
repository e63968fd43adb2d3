"""Exposure: `exposure(target, direction, ...)`, the CLI's `chaintrail exposure` through
GraphQL (the same steps, analysis.exposure.exposure_steps, driven by the API's AsyncGraph):
how much of what an address or a cluster received (sent) came from (went to) each tag
category, directly or through untagged intermediaries.

Ethereum (`chain: ETHEREUM`, or a 0x target): an account, one asset, within a window. Every
`Satoshi` field has an `Amount` twin (`directValue`/`directAmount`, `total`/`totalAmount`,
`own`/`ownAmount`, ...) with the exact amount on both chains; the `Satoshi` one is null on
Ethereum."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from analysis.exposure import (
    Direction,
    Exposure,
    ExposureLimits,
    exposure_steps,
    parse_target,
)
from analysis.steps import run_async
from api.schema.errors import Problem, or_problem
from api.schema.scalars import Amount, Chain, Satoshi
from api.schema.tracing import (
    AssetArg,
    ChainArg,
    WindowArg,
    asked,
    window_of,
)
from loaders.endpoints import check_target
from loaders.ethereum.address import displayed


@strawberry.enum
class ExposureDirection(Enum):
    RECEIVED = "received"
    SENT = "sent"


@strawberry.type
class CategoryExposure:
    category: str
    direct_value: Satoshi | None
    indirect_value: Satoshi | None
    share: float = strawberry.field(
        description="(direct + indirect) / total, rounded to 6 places, as the CLI reports it.")
    direct_amount: Amount
    indirect_amount: Amount


@strawberry.type
class NotExposure:
    """What is not exposure, so that the amounts add up to the total."""

    own: Satoshi | None
    untagged: Satoshi | None
    unknown: Satoshi | None
    cut: Satoshi | None
    own_amount: Amount
    untagged_amount: Amount
    unknown_amount: Amount
    cut_amount: Amount


@strawberry.type
class ExposureResultType:
    target: str
    direction: ExposureDirection
    max_hops: int
    total: Satoshi | None
    output_count: int
    rows: list[CategoryExposure]
    not_exposure: NotExposure
    txs_visited: int
    truncated: bool
    truncation: list[str]
    total_amount: Amount
    chain: Chain
    asset: str | None


ExposureResult = Annotated[ExposureResultType | Problem, strawberry.union("ExposureResult")]


def _sat(v: int, eth: bool) -> Satoshi | None:
    return None if eth else Satoshi(v)


def _result(e: Exposure) -> ExposureResultType:
    eth = e.chain == "ethereum"
    return ExposureResultType(
        target=displayed(e.target), direction=ExposureDirection(e.direction),
        max_hops=e.max_hops, total=_sat(e.total, eth), total_amount=Amount(e.total),
        output_count=e.output_count, txs_visited=e.txs_visited,
        truncated=bool(e.truncated), truncation=e.truncated,
        chain=Chain.ETHEREUM if eth else Chain.BITCOIN,
        asset=displayed(e.asset) if eth else None,
        rows=[CategoryExposure(category=r.category, direct_value=_sat(r.direct_value, eth),
                               indirect_value=_sat(r.indirect_value, eth), share=r.share,
                               direct_amount=Amount(r.direct_value),
                               indirect_amount=Amount(r.indirect_value))
              for r in e.rows],
        not_exposure=NotExposure(
            own=_sat(e.own, eth), untagged=_sat(e.untagged, eth),
            unknown=_sat(e.unknown, eth), cut=_sat(e.cut, eth), own_amount=Amount(e.own),
            untagged_amount=Amount(e.untagged), unknown_amount=Amount(e.unknown),
            cut_amount=Amount(e.cut)))


async def exposure(info: strawberry.Info, target: str,
                   direction: ExposureDirection = ExposureDirection.RECEIVED,
                   max_hops: int = 3, max_txs: int = 10_000,
                   max_fanout: int = 1_000, chain: ChainArg = None, asset: AssetArg = None,
                   window: WindowArg = None) -> ExposureResult:
    """Exposure of an address, or of a whole cluster ('cluster:<id>'), by tag category
    (Ethereum: of an account, one asset, ETH by default)."""

    async def work() -> ExposureResult:
        d: Direction = "received" if direction is ExposureDirection.RECEIVED else "sent"
        limits = ExposureLimits(max_hops=max_hops, max_txs=max_txs, max_fanout=max_fanout)
        c = check_target(target, asked(chain))  # before any query
        if c == "ethereum":
            e = await run_async(info.context.graph, exposure_steps(
                target, d, limits, chain=c, asset=asset, window=window_of(window)))
            return _result(e)
        tgt = parse_target(target)
        e = await run_async(info.context.graph, exposure_steps(
            tgt, d, limits, chain=c, asset=asset, window=window_of(window)))
        return _result(e)

    return await or_problem(work)


@strawberry.type
class Query:
    exposure: ExposureResult = strawberry.field(resolver=exposure)
