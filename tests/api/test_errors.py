"""The API's one translation boundary (api/schema/errors.or_problem): each expected failure
becomes its schema type, anything else propagates (to be masked and logged)."""

from __future__ import annotations

import asyncio

import pytest

from api.schema.errors import (
    DatabaseUnavailable,
    InvalidAddress,
    InvalidInput,
    LimitExceeded,
    NotFoundError,
    PermissionDenied,
    or_problem,
)
from chaintrail import errors


def answer(exc: BaseException) -> object:
    async def work() -> str:
        raise exc

    return asyncio.run(or_problem(work))


@pytest.mark.parametrize(("raised", "kind"), [
    (errors.NotFound("no block 7"), NotFoundError),
    (errors.AddressError("bad checksum"), InvalidAddress),
    (errors.QueryTimeout("stopped by the transaction timeout"), LimitExceeded),
    (errors.LimitError("max_hops must be at most 20"), LimitExceeded),
    (errors.ParameterError("unknown method"), InvalidInput),
    (errors.PermissionDenied("this needs the analyst role"), PermissionDenied),
])
def test_expected_failures_are_schema_types(raised: Exception, kind: type) -> None:
    """Each says what went wrong in the error's own words (the database's: see below)."""
    got = answer(raised)
    assert isinstance(got, kind)
    assert str(raised) in got.message  # type: ignore[attr-defined]


@pytest.mark.parametrize("raised", [errors.DatabaseError("server error"), KeyError("x"),
                                    errors.RegistryError("bad header")])
def test_anything_else_propagates(raised: Exception) -> None:
    with pytest.raises(type(raised)):
        answer(raised)


def test_the_database_answer_says_unavailable() -> None:
    got = answer(errors.DatabaseUnavailable("cannot reach Neo4j at bolt://10.0.0.5:7687: "
                                            "connection refused"))
    assert isinstance(got, DatabaseUnavailable)
    assert got.message.startswith("database unavailable")
    assert "bolt://" not in got.message and "refused" not in got.message  # the log has it
