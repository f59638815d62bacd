"""One source per query: DuckDB SQL with `?` placeholders, transpiled by sqlglot for a server.

Queries are written once, in DuckDB's dialect (the default backend). For PostgreSQL and
ClickHouse, sqlglot rewrites the statement at execution time; the result is cached per
(statement text, dialect, schema, parameter types), so a filter change pays for parsing once.
Placeholders become the driver's named style (`%(p0)s` for psycopg, `{p0:Type}` for
ClickHouse), so values are always bound, never written into the SQL text; table names are
qualified with the schema (database) of the version being served.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

DIALECTS = ("postgres", "clickhouse")

# Python value -> ClickHouse query-parameter type (ClickHouse types every bound value).
_CLICKHOUSE_TYPES = {bool: "Bool", int: "Int64", float: "Float64", str: "String",
                     dt.date: "Date", dt.datetime: "DateTime64(6)"}


@dataclass(frozen=True)
class Translated:
    sql: str
    names: tuple[str, ...]  # parameter names, in the order of the original `?` placeholders


def param_kind(value: object) -> str:
    """The ClickHouse type of a bound value (NULL as Nullable(String))."""
    if value is None:
        return "Nullable(String)"
    for kind in type(value).__mro__:
        if kind in _CLICKHOUSE_TYPES:
            return _CLICKHOUSE_TYPES[kind]
    raise TypeError(f"cannot bind a {type(value).__name__} value")


def bind(translated: Translated, params: list | tuple | None) -> dict[str, object]:
    values = list(params or [])
    if len(values) != len(translated.names):
        raise ValueError(f"statement has {len(translated.names)} placeholders, "
                         f"{len(values)} values given")
    return dict(zip(translated.names, values, strict=True))


# Bit operators ClickHouse has only as functions (sqlglot 30 writes them as operators).
_CLICKHOUSE_BIT_FUNCTIONS = {exp.BitwiseLeftShift: "bitShiftLeft", exp.BitwiseAnd: "bitAnd",
                             exp.BitwiseOr: "bitOr"}


def _clickhouse_fixes(node: exp.Expr) -> exp.Expr:
    function = _CLICKHOUSE_BIT_FUNCTIONS.get(type(node))
    if function:
        return exp.Anonymous(this=function, expressions=[node.this, node.expression])
    return node


@functools.lru_cache(maxsize=1024)
def translate(sql: str, dialect: str, schema: str, kinds: tuple[str, ...] = ()) -> Translated:
    """DuckDB `sql` as `dialect` SQL over the tables of `schema`, with named placeholders.

    `kinds` are the ClickHouse types of the parameters (ignored for PostgreSQL).
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    tree = sqlglot.parse_one(sql, read="duckdb")
    names = []
    for node in list(tree.find_all(exp.Placeholder, bfs=False)):  # text order
        name = f"p{len(names)}"
        kind = exp.DataType.build(kinds[len(names)], dialect="clickhouse") if kinds else None
        node.replace(exp.Placeholder(this=name, kind=kind))
        names.append(name)
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not table.args.get("db") and table.name not in ctes:
            table.set("db", exp.to_identifier(schema))
    for i, sub in enumerate(tree.find_all(exp.Subquery)):
        if not sub.alias and isinstance(sub.parent, exp.From | exp.Join):
            sub.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{i}")))  # PostgreSQL<16
    if dialect == "clickhouse":
        tree = tree.transform(_clickhouse_fixes)
    return Translated(tree.sql(dialect=dialect), tuple(names))
