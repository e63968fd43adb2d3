"""Query cost limits: a query is refused before anything runs when it would ask for too much.

The cost of a query counts the objects it may return, as GitHub's GraphQL API does: every
field with a selection (an object, a union, a list of them) costs 1 for each item of the
lists it is in; scalar fields cost SCALAR_COST (nothing: they are read from a row already
fetched). How many items a list may hold is said by the arguments of the field that asks for
it: a page size (`first`, its default from the schema when not given), `limit`, a trace's
`maxRows`, the k of `paths(k)`, or the length of a list argument such as
`addresses(addresses: [...])`. That number multiplies the first list field at or below the
field that carries it (a connection's `edges`, a trace's `rows` and its graph's `nodes` and
`edges`, `addresses` itself), and nested lists multiply: 100 addresses with a page of 100
transactions each cost over 20,000. Lists without such an argument (a transaction's inputs,
an address's own tags) count as one item. Introspection fields (`__*`) cost nothing.
Variables are read from the request (the rule is built per operation), so `first: $n` costs
what `$n` says.

Why objects and not every field: the danger is nesting (each nested list multiplies the
database work); a flat list is already bounded by its page size or row cap, and asking one
more scalar of its items costs the database nothing. Counted per field, a default trace with
its graph (1,000 rows) would cost about 20,000.

A query above the limit gets a GraphQL validation error naming its cost and the limit (HTTP
200 with `errors`, not masked); aliases and tokens are capped too (`Limits`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.language.parser import parse
from graphql.pyutils import Undefined
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.schema import validate_document

log = logging.getLogger(__name__)

SIZE_ARGUMENTS = frozenset({"first", "limit", "maxRows", "k"})
"""Integer arguments that bound how many items the lists below a field hold."""

LIST_SIZE_ARGUMENTS = frozenset({"addresses"})
"""List arguments whose length is the number of items a field returns."""

SCALAR_COST = 0
"""What a scalar field costs (per item of the lists it is in); 1 counts every field."""

MAX_ALIASES = 50
"""Aliases per document: enough for a dashboard, not for one field asked a thousand times."""

PARSER_CACHE = 256
VALIDATION_CACHE = 256
"""Distinct documents remembered parsed and validated (bounded: a public endpoint must not
let clients grow memory by sending new documents)."""

MAX_TOKENS = 10_000
"""Tokens per document: GraphiQL's introspection query is about 300 (commas and quotes do not
count; 100 addresses in a list are about 100)."""


def query_cost(schema: GraphQLSchema, document: DocumentNode,
               variables: Mapping[str, Any] | None = None) -> dict[str, int]:
    """The cost of each operation of `document` ('anonymous' for an unnamed one); fields the
    schema does not have cost nothing (other validation rules report them)."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    costs: dict[str, int] = {}
    for op in document.definitions:
        if not isinstance(op, OperationDefinitionNode):
            continue
        values = {v.variable.name.value: value_from_ast_untyped(v.default_value)
                  for v in op.variable_definitions or () if v.default_value is not None}
        values.update(variables or {})
        root = schema.get_root_type(op.operation)
        name = op.name.value if op.name else "anonymous"
        costs[name] = (0 if root is None else
                       _Coster(schema, fragments, values).selections(op.selection_set, root, 1,
                                                                     frozenset()))
    return costs


class _Coster:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = dict(variables)

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None,
                   pending: int, seen: frozenset[str]) -> int:
        """The cost of a selection set on `parent`; `pending` is the item count waiting for
        the first list below; `seen` the fragments being expanded (no cycles)."""
        total = 0
        for s in selection_set.selections:
            if isinstance(s, FieldNode):
                total += self.field(s, parent, pending, seen)
            elif isinstance(s, InlineFragmentNode):
                t = self.schema.get_type(s.type_condition.name.value) if s.type_condition \
                    else parent
                total += self.selections(s.selection_set, t, pending, seen)
            elif isinstance(s, FragmentSpreadNode):
                name = s.name.value
                frag = self.fragments.get(name)
                if frag is not None and name not in seen:
                    total += self.selections(frag.selection_set,
                                             self.schema.get_type(frag.type_condition.name.value),
                                             pending, seen | {name})
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, pending: int,
              seen: frozenset[str]) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType
                                                    | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        size = self.size(node, definition.args)
        if size is not None:
            pending *= size
        factor = 1
        if is_list_type(get_nullable_type(definition.type)):
            factor, pending = pending, 1
        if node.selection_set is None:
            return factor * SCALAR_COST
        below = self.selections(node.selection_set, get_named_type(definition.type),
                                pending, seen)
        return factor * (1 + below)

    def size(self, node: FieldNode, args: Mapping[str, Any]) -> int | None:
        """How many items the field's arguments ask for (None: they do not say)."""
        given = {a.name.value: value_from_ast_untyped(a.value, self.variables)
                 for a in node.arguments or ()}
        sizes = []
        for name, arg in args.items():
            value = given.get(name, Undefined)
            if value is Undefined or value is None:
                value = arg.default_value
            if name in SIZE_ARGUMENTS and isinstance(value, int) and not isinstance(value,
                                                                                    bool):
                sizes.append(max(1, value))
            elif name in LIST_SIZE_ARGUMENTS and isinstance(value, list):
                sizes.append(max(1, len(value)))
        return max(sizes) if sizes else None


def complexity_rule(max_complexity: int,
                    variables: Mapping[str, Any] | None) -> type[ValidationRule]:
    """A graphql-core validation rule refusing operations that cost more than the limit."""

    class ComplexityRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            costs = query_cost(context.schema, context.document, variables)
            for op, cost in costs.items():
                if cost > max_complexity:
                    log.info("refused operation %s: cost %d > %d", op, cost, max_complexity)
                    context.report_error(GraphQLError(
                        f"query cost {cost} is above the limit {max_complexity}: ask for "
                        f"smaller pages (first), fewer rows or fewer nested lists"))

    return ComplexityRule


def cost_errors(schema: GraphQLSchema, document: DocumentNode,
                variables: Mapping[str, Any] | None, max_complexity: int) -> list[GraphQLError]:
    """The errors for the operations of `document` above the cost limit (none if within)."""
    errors = []
    for op, cost in query_cost(schema, document, variables).items():
        if cost > max_complexity:
            log.info("refused operation %s: cost %d > %d", op, cost, max_complexity)
            errors.append(GraphQLError(
                f"query cost {cost} is above the limit {max_complexity}: ask for smaller "
                f"pages (first), fewer rows or fewer nested lists"))
    return errors


class _Validations:
    """graphql-core's validation of a document against a fixed tuple of rules, remembered: a
    front-end asks the same few documents over and over with other variables, and validating
    one costs milliseconds of CPU per request (measured: bench/api.py). Keyed by the query's
    text, which decides the document: an `lru_cache` on the document hashed its whole syntax
    tree on every request (2% of the server's CPU under bench/api.py's load)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._done: OrderedDict[tuple[Any, str, tuple[type[ASTValidationRule], ...]],
                                list[GraphQLError]] = OrderedDict()

    def errors(self, schema: GraphQLSchema, query: str | None, document: DocumentNode,
               rules: tuple[type[ASTValidationRule], ...]) -> list[GraphQLError]:
        if query is None:  # no text to key on
            return list(validate_document(schema, document, rules))
        key = (schema, query, rules)
        errors = self._done.get(key)
        if errors is None:
            errors = self._done[key] = list(validate_document(schema, document, rules))
            if len(self._done) > self.size:
                self._done.popitem(last=False)
        else:
            self._done.move_to_end(key)
        return errors


_validations = _Validations(VALIDATION_CACHE)


class Limits(SchemaExtension):
    """The token cap, parsing and validation once per distinct document, with the depth and
    alias limits (the rules are built once per schema, so the cache key is stable), then the
    cost limit, per request because it depends on the variables (`first: $n`). Strawberry's
    own QueryDepthLimiter and MaxAliasesLimiter build new rule classes for every request,
    which defeats any cache. One extension, not strawberry's MaxTokensLimiter and ParserCache
    beside it: strawberry wraps every hook of every extension anew for each request."""

    def __init__(self, rules: tuple[type[ASTValidationRule], ...], max_complexity: int) -> None:
        self.rules = rules
        self.max_complexity = max_complexity

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.graphql_document = _parse_cached(ctx.query, **ctx.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        schema = ctx.schema._schema
        document = ctx.graphql_document
        assert document is not None
        errors = list(_validations.errors(schema, ctx.query, document,
                                          (*ctx.validation_rules, *self.rules)))
        if not errors:
            errors = cost_errors(schema, document, ctx.variables, self.max_complexity)
        ctx.pre_execution_errors = errors
        yield


_parse_cached = lru_cache(maxsize=PARSER_CACHE)(parse)
"""graphql-core's parser, remembered by query text and options (the token cap)."""


def limiters(max_complexity: int, max_depth: int) -> list[Callable[[], SchemaExtension]]:
    """The schema extension (a factory, one instance per operation) that caps a query's
    tokens, depth, aliases and cost, with parsing and validation cached per document."""
    rules = (depth_validator(max_depth, None, None), aliases_validator(MAX_ALIASES))
    return [lambda: Limits(rules, max_complexity)]
