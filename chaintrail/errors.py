"""The one error hierarchy of chaintrail.

    ChaintrailError                  base: everything the project raises on purpose
    ├── ConfigError                  settings that cannot work (bad port, missing java, ...)
    ├── DatabaseError                Neo4j trouble
    │   ├── DatabaseUnavailable      cannot connect / server down
    │   ├── ServerError              managing the local server failed (setup, start, stop)
    │   └── QueryTimeout             the transaction timeout stopped a query
    ├── QueryError                   stored-query trouble
    │   ├── RegistryError            a .cypher file is malformed (header, duplicate, params)
    │   ├── UnknownQuery             no stored query of that name
    │   ├── ParameterError           a parameter is missing, unknown or of the wrong type
    │   │   └── LimitError           a parameter beyond its maximum (hops, fan-out, page size)
    │   └── WriteNotAllowed          a write query asked for where only reads may run
    ├── InputError                   bad input data; names the source and offset or line
    │   ├── FormatError              truncated or malformed bytes / lines
    │   └── VerificationError        a block fails merkle root, witness commitment or PoW
    ├── AddressError                 an address that does not decode or has a bad checksum
    ├── NotFound                     a block, transaction or address that is not loaded
    ├── AuthError                    no API key, or an unknown / revoked one (HTTP 401)
    └── PermissionDenied             a known key whose role may not do what was asked

Layers raise these (wrapping driver exceptions with `raise ... from e`); the CLI and the API
translate them to exit codes / GraphQL errors at one boundary each.
"""

from __future__ import annotations


class ChaintrailError(Exception):
    """Base class of every error chaintrail raises on purpose."""


class ConfigError(ChaintrailError):
    """The configuration cannot work."""


class DatabaseError(ChaintrailError):
    """Neo4j could not do what was asked."""


class DatabaseUnavailable(DatabaseError):
    """Neo4j cannot be reached."""


class ServerError(DatabaseError):
    """Setting up, starting or stopping the managed Neo4j server failed."""


class QueryTimeout(DatabaseError):
    """A query ran into the transaction timeout and was stopped by the server."""


class QueryMemoryLimit(DatabaseError):
    """A query needed more memory than the transaction limit allows and was stopped."""


class QueryError(ChaintrailError):
    """A stored query cannot be loaded or run as asked."""


class RegistryError(QueryError):
    """A stored query file is malformed."""


class UnknownQuery(QueryError):
    """No stored query has that name."""


class ParameterError(QueryError):
    """A query parameter is missing, unknown or has the wrong type."""


class LimitError(ParameterError):
    """A parameter beyond the maximum the project allows (hops, fan-out, rows, page size)."""


class WriteNotAllowed(QueryError):
    """A write query was asked for where only read queries may run."""


class InputError(ChaintrailError):
    """Bad input data. Says where: the source (file, URL) and a byte offset or line number."""

    def __init__(
        self, message: str, *, source: str, offset: int | None = None, line: int | None = None
    ) -> None:
        self.source = source
        self.offset = offset
        self.line = line
        where = source
        if offset is not None:
            where += f" at byte offset {offset}"
        if line is not None:
            where += f" line {line}"
        super().__init__(f"{where}: {message}")
        self.reason = message


class FormatError(InputError):
    """Truncated or malformed input."""


class VerificationError(InputError):
    """A block fails its own checks (merkle root, witness commitment, proof of work)."""


class AddressError(ChaintrailError):
    """An address that does not decode, has a bad checksum, or belongs to another network."""


class NotFound(ChaintrailError):
    """The thing asked for is not in the database."""


class AuthError(ChaintrailError):
    """No API key, or one that is unknown or revoked."""


class PermissionDenied(ChaintrailError):
    """The caller's role does not allow what was asked."""
