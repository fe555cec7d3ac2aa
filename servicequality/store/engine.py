"""Which engine answers a named query: DuckDB from the store, or Spark for the rows a snapshot
leaves in its Parquet history.

The pages and the command line ask for a named result (`ui.query`, `query_runner`). DuckDB answers
it from the store the dashboard serves: the rollups, the reference tables and, in every store but
one kind, the fact tables. A snapshot built with `refresh --engine spark --rollups-only` holds no
fact tables (connection.FACT_TABLES; its `history_facts` table lists them and says where they are):
a query that reads one through the schema's views (drill-down rows, Explore's respondents, the
survey's exact medians) is sent to Spark, which reads the history and the rollups the snapshot kept
as Parquet, when the dashboard runs with SQ_ENGINE=spark (with SQ_SPARK_REMOTE=sc://HOST:PORT, on a
Spark Connect server). Without it, such a query raises a StoreError that says what to set: nothing
is ever answered from a table that is not there.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from servicequality.store.connection import FACT_TABLES, StoreError, facts_elsewhere
from servicequality.store.runner import load_query, run_query, stream_query, tables_read

if TYPE_CHECKING:
    import pandas as pd

    from servicequality.store.spark import SparkEngine

ENGINES = ("duckdb", "spark")


def configured() -> str:
    """The engine $SQ_ENGINE names (default duckdb)."""
    name = os.environ.get("SQ_ENGINE", "").strip().lower() or "duckdb"
    if name not in ENGINES:
        raise StoreError(f"SQ_ENGINE is {name!r}: it names an engine, duckdb (the default) or spark.")
    return name


@functools.cache
def _view_reads() -> dict[str, frozenset[str]]:
    from servicequality.store.spark import schema_views  # sqlglot only; pyspark is imported on use

    return {name: tables_read(select) for name, select in schema_views()}


def base_tables(sql: str) -> frozenset[str]:
    """The tables a query reads, through the schema's views (a view stands for what it reads)."""
    views, seen, todo = _view_reads(), set(), list(tables_read(sql))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(views.get(name, ()))
    return frozenset(seen - views.keys())


def facts_read(name: str, params: Mapping[str, Any]) -> frozenset[str]:
    """The fact tables `queries/<name>.sql` reads with these parameters (its rollup choice made)."""
    return base_tables(load_query(name).sql_for(params)) & frozenset(FACT_TABLES)


@dataclass(frozen=True)
class History:
    """Where a rollups-only snapshot's facts are: the Parquet history, and the rollups Spark built."""

    location: str
    rollups: str
    tables: frozenset[str]


def history(con: duckdb.DuckDBPyConnection) -> History | None:
    """The history a snapshot leaves its facts in; None for a store that holds them."""
    elsewhere = facts_elsewhere(con)
    if not elsewhere:
        return None
    (location, rollups), *_ = {(loc, rol) for _, loc, rol in elsewhere.values()}
    return History(location, rollups, frozenset(elsewhere))


def spark_reads(where: History | None, name: str, params: Mapping[str, Any]) -> frozenset[str]:
    """The fact tables the query reads that the store leaves in its history (none: DuckDB answers)."""
    return facts_read(name, params) & where.tables if where is not None else frozenset()


def needs_spark(where: History | None, name: str, params: Mapping[str, Any]) -> bool:
    return bool(spark_reads(where, name, params))


# What each fact table holds, in words for the page.
FACT_WORDS = {
    "tickets": "tickets",
    "ticket_sources": "tickets",
    "ticket_customers": "tickets",
    "survey_responses": "survey responses",
    "survey_sources": "survey responses",
    "survey_scores": "survey answers",
    "survey_item_missing": "survey answers",
    "survey_importance": "importance points",
    "response_customers": "survey responses",
    "visits": "visits",
}
NOT_CONFIGURED = (
    "This part reads the {what} this snapshot leaves in its Parquet history, which only Spark reads: "
    "start the dashboard with SQ_ENGINE=spark (and SQ_SPARK_REMOTE=sc://HOST:15002 for a Spark Connect "
    "server) to see it."
)


def check_configured(where: History, tables: frozenset[str]) -> None:
    """A StoreError that says what to set, unless SQ_ENGINE=spark."""
    if configured() != "spark":
        what = " and ".join(dict.fromkeys(FACT_WORDS[t] for t in sorted(tables, key=list(FACT_WORDS).index)))
        raise StoreError(NOT_CONFIGURED.format(what=what))


@functools.lru_cache(maxsize=1)
def spark_for(where: History) -> SparkEngine:
    """One Spark session per process over the history and the snapshot's rollups, started on the
    first query that needs it; a new snapshot opens its own."""
    from servicequality.store.spark import SparkEngine

    engine = SparkEngine.local()
    engine.open_history(where.location)
    engine.open_rollups(where.rollups)
    return engine


def on_spark(where: History, tables: frozenset[str]) -> SparkEngine:
    """The Spark session for a query that reads these fact tables (SQ_ENGINE=spark, or a StoreError)."""
    check_configured(where, tables)
    return spark_for(where)


def stream(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], *, batch_rows: int
) -> Iterator[pd.DataFrame]:
    """A named query's rows `batch_rows` at a time, from DuckDB or (facts in the history) Spark."""
    where = history(con)
    if tables := spark_reads(where, name, params):
        yield from on_spark(where, tables).stream_query(name, params, batch_rows=batch_rows)
    else:
        yield from stream_query(con, name, params, batch_rows=batch_rows)


def query_runner(con: duckdb.DuckDBPyConnection) -> Callable[..., pd.DataFrame]:
    """`run(name, filters=None, **extra)` on `con`: what the pages get from `ui.query`, for the
    command line (reports, alerts) and the tests. Filters bind their parameters, `extra` adds or
    overrides some. A query that reads facts the store leaves in its history runs on Spark,
    started on the first such query."""
    where = history(con)

    def run(name: str, filters: Any = None, **extra: Any) -> pd.DataFrame:
        params = filters.params() if filters is not None else {}
        params.update(extra)
        if tables := spark_reads(where, name, params):
            return on_spark(where, tables).run_query(name, params)
        return run_query(con, name, params)

    return run
