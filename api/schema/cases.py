"""Cases: an investigator saves addresses, transactions, traces and notes in a named case,
lists and reopens cases, and sees a case as one graph (its traces re-run). Reading needs the
reader role, changing a case the analyst role, deleting one the admin role (an analyst's
removal keeps the item, marked: see docs/cases.md)."""

from __future__ import annotations

from dataclasses import asdict
from enum import Enum
from typing import Annotated, Any

import strawberry

from analysis.accounts import WINDOW_FIELDS
from api.cases import CaseStore, NewItems, TraceRequest, case_graph
from api.cases import TraceRun as Run
from api.schema.errors import Problem, or_problem
from api.schema.pagination import DEFAULT_PAGE, Connection, read_page
from api.schema.scalars import Chain, Satoshi
from api.schema.tracing import Graph, WindowInput
from cypher.runner import Row
from loaders.ethereum.address import displayed


@strawberry.enum(name="TraceKind")
class TraceKindEnum(Enum):
    FORWARD = "forward"
    BACKWARD = "backward"
    PATHS = "paths"


@strawberry.enum
class CaseItemKind(Enum):
    ADDRESS = "address"
    TRANSACTION = "transaction"
    TRACE = "trace"
    NOTE = "note"


@strawberry.input(description="A trace (forward, backward: start and limits) or a path "
                              "search (paths: source, target, maxHops, k, "
                              "includeSuperNodes); fields left out take the defaults of "
                              "traceForward and paths.")
class TraceRequestInput:
    kind: TraceKindEnum
    start: str | None = None
    source: str | None = None
    target: str | None = None
    max_hops: int | None = None
    min_value: Satoshi | None = None
    max_fanout: int | None = None
    max_rows: int | None = None
    stop_at: list[str] | None = None
    k: int | None = None
    include_super_nodes: bool | None = None
    chain: Chain | None = strawberry.field(
        default=None, description="BITCOIN or ETHEREUM; by default ETHEREUM for a 0x start "
                                  "or source.")
    asset: str | None = strawberry.field(
        default=None, description="Ethereum: ETH (the default), a token contract, or '*'.")
    window: WindowInput | None = strawberry.field(
        default=None, description="Ethereum: only transfers in these blocks and times.")

    def request(self) -> TraceRequest:
        given = {name: getattr(self, name) for name in (
            "start", "source", "target", "max_hops", "min_value", "max_fanout", "max_rows",
            "stop_at", "k", "include_super_nodes", "asset")}
        given["chain"] = None if self.chain is None else self.chain.value
        if self.window is not None:
            given.update(asdict(self.window.window()))
        return TraceRequest.make(self.kind.value, given)


@strawberry.type(name="TraceRequest", description="A saved request, as it is re-run; the "
                                                  "fields that do not apply to its kind "
                                                  "are null.")
class TraceRequestType:
    kind: TraceKindEnum
    start: str | None
    source: str | None
    target: str | None
    max_hops: int
    min_value: Satoshi | None
    max_fanout: int | None
    max_rows: int | None
    stop_at: list[str] | None
    k: int | None
    include_super_nodes: bool | None
    chain: Chain
    asset: str | None = strawberry.field(
        description="Ethereum: ETH, a token contract (EIP-55) or '*'; null on Bitcoin.")
    window: Window | None = strawberry.field(
        description="Ethereum: the blocks and times it sees; null on Bitcoin.")

    @classmethod
    def of(cls, r: TraceRequest) -> TraceRequestType:
        d: dict[str, Any] = {"start": None, "source": None, "target": None, "min_value": None,
                             "max_fanout": None, "max_rows": None, "stop_at": None,
                             "k": None, "include_super_nodes": None, **r.as_dict()}
        d["kind"] = TraceKindEnum(d["kind"])
        eth = d.pop("chain", "bitcoin") == "ethereum"
        bounds = {n: d.pop(n, None) for n in WINDOW_FIELDS}
        d["chain"] = Chain.ETHEREUM if eth else Chain.BITCOIN
        d["asset"] = displayed(d.pop("asset", None)) if eth else None
        d["window"] = Window(**bounds) if eth else None
        if eth:  # accounts shown in EIP-55, as everywhere in the API
            for name in ("start", "source", "target"):
                d[name] = displayed(d[name])
        return cls(**d)


@strawberry.type(description="Ethereum: a window of blocks and times (unix seconds), each "
                             "bound inclusive; null where open.")
class Window:
    from_block: int | None
    to_block: int | None
    since: int | None
    until: int | None


@strawberry.type(description="A saved trace run again now: its digest, and whether it is the "
                             "digest saved with the item (the answer has not changed).")
class TraceRun:
    digest: str
    ran_at: str
    unchanged: bool
    graph: Graph


TraceRunResult = Annotated[TraceRun | Problem, strawberry.union("TraceRunResult")]


@strawberry.type(description="Something saved in a case, with who added it and when.")
class CaseItem:
    id: strawberry.ID
    kind: CaseItemKind
    ref: str | None = strawberry.field(description="The address, the txid, or what a trace "
                                                   "starts from ('source -> target' for "
                                                   "paths).")
    text: str | None = strawberry.field(description="A note's text.")
    request: TraceRequestType | None
    digest: str | None = strawberry.field(description="A trace's SHA-256 of the canonical "
                                                      "JSON of its answer when it was saved.")
    ran_at: str | None
    added_by: str
    added_by_key: str | None
    added_at: str
    removed_by: str | None
    removed_at: str | None
    loaded: bool = strawberry.field(description="The address or transaction is in the graph.")
    params: strawberry.Private[str | None]

    @strawberry.field(description="A trace run again as it was saved (null for other kinds).")
    async def rerun(self, info: strawberry.Info) -> TraceRunResult | None:
        if self.kind is not CaseItemKind.TRACE:
            return None

        async def work() -> TraceRunResult:
            assert self.params is not None
            run = await CaseStore(info.context.graph).rerun(self.params)
            return _run(run, self.digest)

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: Row) -> CaseItem:
        params = r["params"]
        return cls(id=strawberry.ID(r["id"]), kind=CaseItemKind(r["kind"]), ref=r["ref"],
                   text=r["text"],
                   request=TraceRequestType.of(TraceRequest.from_json(params))
                   if params else None,
                   digest=r["digest"], ran_at=r["run_at"], added_by=r["added_by"],
                   added_by_key=r["added_by_key"], added_at=r["added_at"],
                   removed_by=r["removed_by"], removed_at=r["removed_at"], loaded=r["loaded"],
                   params=params)


def _run(run: Run, saved: str | None) -> TraceRun:
    return TraceRun(digest=run.digest, ran_at=run.ran_at, unchanged=run.digest == saved,
                    graph=Graph.of(displayed(run.graph)))


@strawberry.type(description="One export of a case: by whom, when, and the SHA-256 of the "
                             "file handed out.")
class CaseExport:
    format: str
    sha256: str
    size: int
    by: str | None
    by_key: str | None
    at: str


CaseItemsResult = Annotated[Connection[CaseItem] | Problem, strawberry.union("CaseItemsResult")]
CaseExportsResult = Annotated[Connection[CaseExport] | Problem,
                              strawberry.union("CaseExportsResult")]
CaseGraphResult = Annotated[Graph | Problem, strawberry.union("CaseGraphResult")]


@strawberry.type(description="An investigation case.")
class Case:
    id: strawberry.ID
    name: str
    description: str
    created_by: str
    created_by_key: str | None
    created_at: str
    updated_at: str
    item_count: int = strawberry.field(description="Live items (removed ones not counted).")
    trace_count: int

    @strawberry.field(description="The items in the order they were added, a page at a time.")
    async def items(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                    after: str | None = None,
                    include_removed: bool = False) -> CaseItemsResult:
        async def work() -> CaseItemsResult:
            name = f"case-items:{self.id}:{'all' if include_removed else 'live'}"
            return await read_page(
                name, first, after,
                lambda skip, limit: CaseStore(info.context.graph).items(
                    self.id, skip, limit, include_removed),
                CaseItem.from_row, None if include_removed else self.item_count)

        return await or_problem(work)

    @strawberry.field(description="Who exported the case, when, in which format.")
    async def exports(self, info: strawberry.Info, first: int = DEFAULT_PAGE,
                      after: str | None = None) -> CaseExportsResult:
        async def work() -> CaseExportsResult:
            name = f"case-exports:{self.id}"
            return await read_page(
                name, first, after,
                lambda skip, limit: CaseStore(info.context.graph).exports(self.id, skip, limit),
                lambda r: CaseExport(**r))

        return await or_problem(work)

    @strawberry.field(description="The case as one graph: its addresses and transactions, and "
                                  "its traces run again now, merged (what /export gives).")
    async def graph(self, info: strawberry.Info) -> CaseGraphResult:
        async def work() -> CaseGraphResult:
            _, items, runs = await CaseStore(info.context.graph).graph_of(self.id)
            return Graph.of(displayed(case_graph(items, runs)))

        return await or_problem(work)

    @classmethod
    def from_row(cls, r: Row) -> Case:
        return cls(id=strawberry.ID(r["id"]), name=r["name"], description=r["description"],
                   created_by=r["created_by"], created_by_key=r["created_by_key"],
                   created_at=r["created_at"], updated_at=r["updated_at"],
                   item_count=r["item_count"], trace_count=r["trace_count"])


CaseResult = Annotated[Case | Problem, strawberry.union("CaseResult")]
CasesResult = Annotated[Connection[Case] | Problem, strawberry.union("CasesResult")]


@strawberry.type
class AddedToCase:
    case: Case
    items: list[CaseItem]


@strawberry.type
class RemovedFromCase:
    case: Case
    item_ids: list[strawberry.ID]


@strawberry.type
class DeletedCase:
    id: strawberry.ID
    deleted_items: int


AddToCaseResult = Annotated[AddedToCase | Problem, strawberry.union("AddToCaseResult")]
RemoveFromCaseResult = Annotated[RemovedFromCase | Problem,
                                 strawberry.union("RemoveFromCaseResult")]
DeleteCaseResult = Annotated[DeletedCase | Problem, strawberry.union("DeleteCaseResult")]


async def case(info: strawberry.Info, id: strawberry.ID) -> CaseResult:
    """One case by id: reopen it (its items, its graph with the traces re-run)."""

    async def work() -> CaseResult:
        info.context.require("reader")
        return Case.from_row(await CaseStore(info.context.graph).get(id))

    return await or_problem(work)


async def cases(info: strawberry.Info, first: int = 20, after: str | None = None) -> CasesResult:
    """Every case, oldest first, a page at a time."""

    async def work() -> CasesResult:
        info.context.require("reader")
        return await read_page("cases", first, after, CaseStore(info.context.graph).page,
                               Case.from_row)

    return await or_problem(work)


async def create_case(info: strawberry.Info, name: str, description: str = "") -> CaseResult:
    """A new, empty case, created by the caller."""

    async def work() -> CaseResult:
        who = info.context.require("analyst")
        return Case.from_row(await CaseStore(info.context.graph).create(who, name, description))

    return await or_problem(work)


async def update_case(info: strawberry.Info, id: strawberry.ID, name: str | None = None,
                      description: str | None = None) -> CaseResult:
    """Rename a case or change its description."""

    async def work() -> CaseResult:
        info.context.require("analyst")
        return Case.from_row(await CaseStore(info.context.graph).update(id, name, description))

    return await or_problem(work)


async def delete_case(info: strawberry.Info, id: strawberry.ID) -> DeleteCaseResult:
    """Delete a case with its items and export records (admin only)."""

    async def work() -> DeleteCaseResult:
        info.context.require("admin")
        n = await CaseStore(info.context.graph).delete(id)
        return DeletedCase(id=id, deleted_items=n)

    return await or_problem(work)


async def add_to_case(info: strawberry.Info, case_id: strawberry.ID,
                      addresses: list[str] | None = None,
                      transactions: list[str] | None = None, note: str | None = None,
                      trace: TraceRequestInput | None = None) -> AddToCaseResult:
    """Add addresses, transactions, a note and a trace (run now: its digest and time are saved)
    to a case, all or nothing."""

    async def work() -> AddToCaseResult:
        who = info.context.require("analyst")
        new = NewItems.check(addresses or (), transactions or (), note,
                             trace.request() if trace is not None else None)
        store = CaseStore(info.context.graph)
        rows = await store.add(who, case_id, new)
        return AddedToCase(case=Case.from_row(await store.get(case_id)),
                           items=[CaseItem.from_row(r) for r in rows])

    return await or_problem(work)


async def remove_from_case(info: strawberry.Info, case_id: strawberry.ID,
                           item_ids: list[strawberry.ID]) -> RemoveFromCaseResult:
    """Remove items from a case: they are kept, marked with who removed them and when, and
    left out of its lists and graph."""

    async def work() -> RemoveFromCaseResult:
        who = info.context.require("analyst")
        store = CaseStore(info.context.graph)
        done = await store.remove(who, case_id, item_ids)
        return RemovedFromCase(case=Case.from_row(await store.get(case_id)),
                               item_ids=[strawberry.ID(i) for i in done])

    return await or_problem(work)


@strawberry.type
class Query:
    case: CaseResult = strawberry.field(resolver=case)
    cases: CasesResult = strawberry.field(resolver=cases)


@strawberry.type
class Mutation:
    create_case: CaseResult = strawberry.mutation(resolver=create_case)
    update_case: CaseResult = strawberry.mutation(resolver=update_case)
    delete_case: DeleteCaseResult = strawberry.mutation(resolver=delete_case)
    add_to_case: AddToCaseResult = strawberry.mutation(resolver=add_to_case)
    remove_from_case: RemoveFromCaseResult = strawberry.mutation(resolver=remove_from_case)
