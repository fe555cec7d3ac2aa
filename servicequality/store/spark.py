"""Spark: the same rollup models and named queries, run by Spark SQL over a Parquet history.

DuckDB answers the dashboard. Spark is for a history too big for one machine: it builds the rollup
tables from the Parquet history (store.history) and a DuckDB snapshot serves them (store.snapshot).
It runs any named query (`SparkEngine.run_query`); the dashboard sends it only those that read the
fact tables a `--rollups-only` snapshot leaves in the history (store.engine): Spark's fixed cost is
about a second a query and ten to start, so it builds and reads rows, it does not answer every click.

One text, two dialects: every view of schema.sql, every model of store/models and every query of
queries/ is written once for DuckDB and emitted for Spark by `to_spark` (sqlglot), with the rewrites
a plain transpile lacks, each found by running the queries on Spark 4 and comparing rows:

1. typed list parameters: a selection bound as NULL ("all") has no type on Spark, and
   `array_contains(NULL, region)` is refused (DATATYPE_MISMATCH.NULL_TYPE); every list parameter is
   read as `cast(:x as array<string>)`;
2. DOUBLE arithmetic: `86400.0` is a DECIMAL(6,1) on Spark and a division by it rounds to six places;
   DuckDB divides decimals as doubles, so every decimal literal is emitted as a DOUBLE;
3. HUGEINT, the exact sums of squares of the survey rollups, is DECIMAL(38, 0) on Spark; and as
   DuckDB's `/` divides integers and decimals as doubles, every division's dividend is cast to DOUBLE
   (Spark would divide decimals into DECIMAL(38, 6));
4. DuckDB's `to_days(n)` is Spark's `make_dt_interval(n)`;
5. exact percentiles stay exact: sqlglot writes `percentile_cont(q) within group (order by x)` as
   PERCENTILE_APPROX, an estimate; it becomes Spark's exact `percentile(x, q)` (`_exact_percentile`);
6. `$name` parameters become Spark's named `:name` markers, bound by `spark.sql(text, args=...)`:
   values travel as bound parameters on both engines, never pasted into SQL text.

`SparkEngine.local()` starts Spark in local mode (local[2], a few GB); $SQ_SPARK_REMOTE (for example
sc://spark-connect:15002) makes it a Spark Connect client of a cluster instead.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import sqlglot
from sqlglot import exp

from servicequality.store import history, rollups
from servicequality.store.connection import SCHEMA_FILE
from servicequality.store.runner import like_duckdb, load_query, nullable_types

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

LIST_TYPE = "array<string>"
# DuckDB's HUGEINT (the rollups' exact sums of squares) is a whole decimal of 38 digits on Spark.
EXACT_SUM_TYPE = "decimal(38, 0)"


@functools.lru_cache(maxsize=512)
def to_spark(sql: str) -> str:
    """The Spark SQL of one DuckDB statement (see the module's notes for each rewrite)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    lists = {
        node.this.name
        for node in tree.find_all(exp.ArrayContains)
        if isinstance(node.this, exp.Placeholder)  # list_contains($x, col): $x is a list
    }

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name in lists:
            return exp.cast(node.copy(), exp.DataType.build(LIST_TYPE, dialect="spark"))
        if isinstance(node, exp.Literal) and not node.is_string and re.search(r"[.eE]", node.this):
            return exp.cast(node.copy(), exp.DataType.build("double"))
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
            return exp.DataType.build(EXACT_SUM_TYPE, dialect="spark")
        if isinstance(node, exp.ToDays):
            return exp.func("make_dt_interval", node.this)
        if isinstance(node, exp.WithinGroup | exp.PercentileCont | exp.PercentileDisc):
            return _exact_percentile(node)
        if isinstance(node, exp.Div):
            node.set("this", exp.cast(node.this, exp.DataType.build("double")))
        return node

    tree = tree.transform(rewrite, copy=False)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def _exact_percentile(node: exp.Expression) -> exp.Expression:
    """DuckDB's exact percentiles as Spark's exact ones (sqlglot would write PERCENTILE_APPROX, an
    estimate, for `percentile_cont(q) within group (order by x)`):

    - `percentile_cont(q) within group (order by x)` and `quantile_cont(x, q)`: `percentile(x, q)`,
      the same linear interpolation between the closest ranks (descending order: `1 - q`);
    - `percentile_disc(q) within group (order by x)` and `quantile_disc(x, q)`: Spark's own
      `percentile_disc(q) within group (order by x)`, the first value whose cumulative share is at
      least q, as DuckDB's.
    """
    if isinstance(node, exp.WithinGroup):
        function, (ordered,) = node.this, node.expression.expressions
        if not isinstance(function, exp.PercentileCont | exp.PercentileDisc):
            return node
        column, fraction = ordered.this, function.this
        if ordered.args.get("desc"):
            fraction = exp.Sub(this=exp.Literal.number(1), expression=fraction)
    else:
        function, column, fraction = node, node.this, node.expression
    if isinstance(function, exp.PercentileCont):
        return exp.Anonymous(this="percentile", expressions=[column.copy(), fraction.copy()])
    return exp.WithinGroup(
        this=exp.Anonymous(this="percentile_disc", expressions=[fraction.copy()]),
        expression=exp.Order(expressions=[exp.Ordered(this=column.copy(), nulls_first=False)]),
    )


def schema_views() -> list[tuple[str, str]]:
    """(name, select) of every view schema.sql defines, in file order (each after those it reads)."""
    views = []
    for statement in sqlglot.parse(SCHEMA_FILE.read_text(), read="duckdb"):
        if isinstance(statement, exp.Create) and statement.kind == "VIEW":
            views.append((statement.this.name, statement.expression.sql(dialect="duckdb")))
    return views


class SparkEngine:
    """A Spark session holding a store: the base tables of a Parquet history as views, the schema's
    views, and (after `build_rollups`) every rollup table, cached."""

    def __init__(self, session: SparkSession):
        self.spark = session

    @classmethod
    def local(cls, *, cores: int = 2, memory: str = "2g") -> SparkEngine:
        """A session in local mode (or a Spark Connect client when $SQ_SPARK_REMOTE is set)."""
        from pyspark.sql import SparkSession

        # Spark logs each refused statement at ERROR with its Java stack; the caller gets the error.
        for name in ("py4j", "SQLQueryContextLogger"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        remote = os.environ.get("SQ_SPARK_REMOTE")
        builder = SparkSession.builder.appName("servicequality")
        if remote:
            builder = builder.remote(remote)
        else:
            builder = (
                builder.master(f"local[{cores}]")
                .config("spark.driver.memory", memory)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                # a small machine: few shuffle partitions (200 would make 200 tiny tasks a query)
                .config("spark.sql.shuffle.partitions", str(cores * 2))
                .config("spark.sql.adaptive.enabled", "true")
                .config("spark.sql.constraintPropagation.enabled", "false")
            )
        # DuckDB's timestamps have no time zone: read and shown as written, in UTC.
        builder = builder.config("spark.sql.session.timeZone", "UTC")
        session = builder.getOrCreate()
        if not remote:
            session.sparkContext.setLogLevel("FATAL")
        return cls(session)

    def stop(self) -> None:
        self.spark.stop()

    # --- the store ----------------------------------------------------------------------------

    def open_history(self, directory: Path | str) -> None:
        """The base tables of a Parquet history (store.history.export) as views, then the schema's."""
        directory = Path(directory)
        for table in history.TABLES:
            frame = self.spark.read.parquet(str(directory / table))
            if history.PARTITION in frame.columns:
                frame = frame.drop(history.PARTITION)
            frame.createOrReplaceTempView(table)
        for name, select in schema_views():
            # the view's name and text are schema.sql's own, never input
            self.spark.sql(f"create or replace temp view {name} as {to_spark(select)}")

    def open_rollups(self, directory: Path | str) -> None:
        """The rollups a `--rollups-only` snapshot keeps as Parquet (store.snapshot) as views, with
        the view the queries read over them: what `build_rollups` would give, without building."""
        for path in sorted(Path(directory).iterdir()):
            if path.is_dir():  # one directory per table, named by its model
                self.spark.read.parquet(str(path)).createOrReplaceTempView(path.name)
        self._means_view()

    def _means_view(self) -> None:
        self.spark.sql(
            f"create or replace temp view response_component_means as {to_spark(rollups.RESPONSE_COMPONENT_MEANS)}"
        )

    def build_rollups(self, *, keep_temporary: bool = False) -> dict[str, DataFrame]:
        """Every rollup table from its model (store/models), each after those it reads, cached; the
        tables by name (rollup_settings first, then in build order; the temporary ones too with
        `keep_temporary`: a snapshot needs them to type the models that read them)."""
        counts = {t: self.spark.table(t).count() for t in rollups.SOURCES}
        bound = rollups.settings(lambda sql: [tuple(r) for r in self.sql(sql).collect()], counts)
        built = {"rollup_settings": self._cache("rollup_settings", self.sql(rollups.SETTINGS, bound))}
        self._means_view()
        for model in rollups.models():
            frame = self._cache(model.name, self.sql(model.sql))
            if keep_temporary or not model.temporary:
                built[model.name] = frame
        return built

    def _cache(self, name: str, frame: DataFrame) -> DataFrame:
        # Materialised once: the models after it and every query read the cached rows.
        frame = frame.localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        return frame

    # --- queries ------------------------------------------------------------------------------

    def sql(self, duckdb_sql: str, params: Mapping[str, Any] | None = None) -> DataFrame:
        """One DuckDB statement run on Spark, its `$parameters` bound."""
        return self.spark.sql(to_spark(duckdb_sql), args=dict(params or {}))

    def run_query(self, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
        """`queries/<name>.sql` on Spark: the same text and rollup choice as store.run_query, its
        shared steps materialised first (`shared_steps`)."""
        with self._prepared(name, params) as frame:
            return like_duckdb(frame.toArrow())

    def stream_query(self, name: str, params: Mapping[str, Any], *, batch_rows: int = 5_000) -> Iterator[pd.DataFrame]:
        """`run_query`'s rows `batch_rows` at a time, a partition at a time on the driver
        (`toLocalIterator`): a whole export never sits in Python's memory at once."""
        from pyspark.sql.pandas.types import to_arrow_schema

        with self._prepared(name, params) as frame:
            # each batch typed by the result's schema (as DuckDB's Arrow batches are): a batch whose
            # column happens to hold a null keeps its booleans and whole numbers
            schema, rows = to_arrow_schema(frame.schema), []
            for row in frame.toLocalIterator():
                rows.append(row.asDict())
                if len(rows) == batch_rows:
                    yield pa.RecordBatch.from_pylist(rows, schema=schema).to_pandas(types_mapper=nullable_types().get)
                    rows = []
            if rows:
                yield pa.RecordBatch.from_pylist(rows, schema=schema).to_pandas(types_mapper=nullable_types().get)

    @contextlib.contextmanager
    def _prepared(self, name: str, params: Mapping[str, Any]) -> Iterator[DataFrame]:
        """The query's final select, its shared steps cached as views until the caller is done."""
        sql, params = load_query(name).statement(params)  # each statement below binds those it names
        steps, final = shared_steps(sql, suffix="_" + uuid.uuid4().hex[:12])
        try:
            for step, text in steps:
                self._cache(step, self.sql(text, _used(params, text)))
            yield self.sql(final, _used(params, final))
        finally:
            for step, _ in steps:
                self.spark.catalog.dropTempView(step)


def _used(params: Mapping[str, Any], sql: str) -> dict[str, Any]:
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def shared_steps(sql: str, suffix: str = "") -> tuple[list[tuple[str, str]], str]:
    """A query's CTEs that more than one place reads, each as a statement of its own (with the
    other CTEs before it), and the query that reads them: ([(name, select)], final select).

    Spark inlines every CTE where it is read, so a step read by steps that are themselves read
    several times is planned once per path: the handling percentiles' 24 steps took 79 s to plan
    on 20,000 tickets and then ran out of memory beside their final select. Materialised (cached)
    in order, each is planned once. DuckDB plans the same text whole."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    with_ = tree.args.get("with_")
    if with_ is None:
        return [], sql
    ctes = list(with_.expressions)
    names = {c.alias for c in ctes}
    reads = Counter(t.name for t in tree.find_all(exp.Table) if t.name in names and not t.db)
    if suffix:
        # each step a name of its own call: its view is global to the Spark session, which several
        # dashboard sessions share, and another call's step of the same name must not replace it
        shared = {name for name, n in reads.items() if n > 1}
        for t in tree.find_all(exp.Table):
            if t.name in shared and not t.db:
                if not t.alias:  # its columns are qualified by its name: they keep reading it
                    t.set("alias", exp.TableAlias(this=exp.to_identifier(t.name)))
                t.set("this", exp.to_identifier(t.name + suffix))
        for cte in ctes:
            if cte.alias in shared:
                cte.set("alias", exp.TableAlias(this=exp.to_identifier(cte.alias + suffix)))
                reads[cte.alias] = 2
    steps, carried = [], []
    for cte in ctes:
        if reads[cte.alias] > 1:
            body = cte.this.copy()
            own = body.args.get("with_")
            before = [c.copy() for c in carried] + (list(own.expressions) if own else [])
            if before:
                body.set("with_", exp.With(expressions=before))
            steps.append((cte.alias, body.sql(dialect="duckdb")))
        else:
            carried.append(cte)
    if not steps:
        return [], sql
    final = tree.copy()
    final.set("with_", exp.With(expressions=[c.copy() for c in carried]) if carried else None)
    return steps, final.sql(dialect="duckdb")
