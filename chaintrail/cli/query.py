"""`chaintrail query`: run a stored read query by name, or list the catalogue.

Ethereum: a query with a `chain` parameter runs on Ethereum when it is given
(`--param chain=ethereum`) or, when it is not, when an address or hash given is an Ethereum
one (`0x...`). Addresses are stored lower-case; every Ethereum address in the answer is shown
with its EIP-55 checksum case, in JSON and in tables.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from chaintrail.cli.common import (
    boundary,
    load_settings,
    open_graph,
    out,
    setup_logging,
)
from chaintrail.errors import AddressError, ParameterError, UnknownQuery
from cypher.registry import Registry, StoredQuery
from loaders.bitcoin.address import decode_address
from loaders.ethereum.address import check_address, displayed, is_eth_like


def parse_param(q: StoredQuery, item: str) -> tuple[str, Any]:
    """`key=value` -> (key, value typed by the parameter's declared type)."""
    key, sep, raw = item.partition("=")
    if not sep or not key:
        raise ParameterError(f"--param wants key=value, got {item!r}")
    p = q.param(key)
    if p is None:
        known = ", ".join(x.name for x in q.params) or "none"
        raise ParameterError(f"{q.name} has no parameter {key!r} (parameters: {known})")
    if raw == "null":
        return key, None
    try:
        if p.type == "INTEGER":
            return key, int(raw)
        if p.type == "FLOAT":
            return key, float(raw)
        if p.type == "BOOLEAN":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return key, raw.lower() == "true"
        if p.type.startswith("LIST<") or p.type == "MAP":
            return key, json.loads(raw)
    except ValueError as e:
        raise ParameterError(f"{q.name}: parameter {key!r} must be {p.type}, got {raw!r}") from e
    if p.type == "ADDRESS":  # a wrong address is an error here, not an empty answer
        if is_eth_like(raw):
            try:
                return key, check_address(raw)  # lowercased, as the graph stores them
            except AddressError as e:
                raise ParameterError(f"{q.name}: parameter {key!r}: {e}") from e
        decode_address(raw)
    return key, raw


def infer_chain(q: StoredQuery, given: dict[str, Any]) -> dict[str, Any]:
    """`chain=ethereum` when the query takes a chain, none is given, and an address, txid or
    hash given is Ethereum's (0x); otherwise the parameters as given."""
    if q.param("chain") is None or "chain" in given:
        return given
    for p in q.params:
        v = given.get(p.name)
        if isinstance(v, str) and p.type in ("ADDRESS", "TXID", "HASH") \
                and v[:2] in ("0x", "0X"):
            return {**given, "chain": "ethereum"}
    return given



def _cell(v: Any) -> str:
    return json.dumps(v) if isinstance(v, list | dict) else ("" if v is None else str(v))


def query(
    name: Annotated[str | None, typer.Argument(help="Stored query name, e.g. lookup/block.")]
    = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="key=value (repeatable); typed by the query's header.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "json",
    list_: Annotated[bool, typer.Option("--list", help="List the stored queries.")] = False,
    cypher: Annotated[bool, typer.Option(
        "--cypher", help="Print the :param lines and the query to paste into cypher-shell "
        "or Neo4j Browser, instead of running it.")] = False,
) -> None:
    """Run a stored read query through read routing and print its rows."""
    _query(name, param or [], fmt, list_, cypher)


@boundary
def _query(name: str | None, params: list[str], fmt: str, list_: bool, cypher: bool) -> None:
    registry = Registry.load()
    if list_ or name is None:
        table = Table("name", "mode", "parameters (= default)", "columns", "description",
                      show_lines=False)
        for q in registry:
            if q.name.startswith(("schema/", "load/", "chain/", "bench/")):
                continue
            ps = ", ".join(p.name + ("" if p.required else f" = {json.dumps(p.default)}")
                           for p in q.params)
            table.add_row(q.name, q.mode, ps, ", ".join(q.columns), q.description)
        out.print(table)
        return
    if fmt not in ("json", "table"):
        raise ParameterError(f"--format must be json or table, not {fmt!r}")
    q = registry[name]
    if q.mode != "read":
        raise UnknownQuery(f"{name} is a write query; `chaintrail query` runs read queries only")
    given = infer_chain(q, dict(parse_param(q, item) for item in params))
    if cypher:  # a required parameter not given gets a placeholder to fill in
        typer.echo(q.usage(q.bind(given, require=False)) + "\n" + q.text)
        return
    settings = load_settings()
    setup_logging(settings)
    with open_graph(settings) as graph:
        rows = displayed(graph.read(name, given))
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    cols = list(rows[0]) if rows else list(q.columns)
    if len(rows) == 1:
        # One row (a lookup): field / value, readable at any terminal width.
        table = Table("field", "value", title=name)
        for c in cols:
            table.add_row(c, _cell(rows[0].get(c)))
    else:
        # Every value whole (folded onto more lines, never cut with "…"): ids and hashes
        # an analyst copies must be complete.
        table = Table(title=f"{name}: {len(rows)} rows")
        for c in cols:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*(_cell(r.get(c)) for c in cols))
    out.print(table, overflow="fold", crop=False)
