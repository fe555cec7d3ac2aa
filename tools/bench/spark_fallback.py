"""The queries Spark answers for a rollups-only snapshot, against DuckDB on the whole store.

`python -m tools.bench.spark_fallback --db data/demo.duckdb` exports the store as a Parquet history,
has Spark build a `--rollups-only` snapshot (store.snapshot; or reuses one with --snapshot DIR), and
times, for every named query that reads the fact tables such a snapshot leaves in the history
(store.engine: drill-down rows, Explore's respondents, exact survey medians):

- Spark's start (a local session over the history and the snapshot's rollup Parquet);
- the query on Spark, first run and the median of the next `--runs`;
- the same query on DuckDB over the whole store (the store the history came from), median of `--runs`;

with the period of the demo's last two years and no other selection. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from servicequality import store
from servicequality.filters import Filters
from servicequality.store import engine, history, snapshot, spark
from tests.conftest import query_extras


def _timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    out = run()
    return time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/demo.duckdb"))
    parser.add_argument("--snapshot", type=Path, help="a rollups-only snapshot directory of the same store")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["SQ_ENGINE"] = "spark"
    con = store.connect_read_only(args.db)
    tickets = con.execute("select count(*) from tickets").fetchone()[0]
    directory = args.snapshot
    if directory is None:
        work = Path(tempfile.mkdtemp(prefix="sq-spark-fallback-"))
        history.export(con, work / "history")
        builder = spark.SparkEngine.local()
        seconds, _ = _timed(
            lambda: snapshot.build_with_spark(builder, work / "history", work / "snapshots", rollups_only=True)
        )
        print(f"refresh --engine spark --rollups-only: {seconds:.1f} s")
        directory = work / "snapshots"
    path = snapshot.current(directory)
    full, small = args.db.stat().st_size / 1e6, path.stat().st_size / 1e6
    print(f"store {args.db}: {tickets:,} tickets, {full:,.0f} MB; rollups-only snapshot {small:,.0f} MB")
    _, last = store.run_query(con, "date_bounds", {}).iloc[0]
    end = pd.Timestamp(last).date()
    params = {**query_extras(), **Filters(end.replace(year=end.year - 2), end).params()}
    snap = store.connect_read_only(path)
    where = engine.history(snap)
    seconds, sparked = _timed(lambda: engine.spark_for(where))
    print(f"Spark start (local[2]) and open the history and rollups: {seconds:.1f} s\n")
    print("| query | fact tables | rows | Spark, first | Spark, median | DuckDB, whole store, median |")
    print("|---|---|---|---|---|---|")
    for name in store.query_names():
        read = engine.spark_reads(where, name, params)
        if not read:
            continue
        on_spark = functools.partial(sparked.run_query, name, params)
        on_duckdb = functools.partial(store.run_query, con, name, params)
        once, rows = _timed(on_spark)
        again = statistics.median(_timed(on_spark)[0] for _ in range(args.runs))
        duck = statistics.median(_timed(on_duckdb)[0] for _ in range(args.runs))
        tables = ", ".join(sorted(read))
        print(f"| {name} | {tables} | {len(rows):,} | {once:.2f} s | {again:.2f} s | {duck * 1000:.0f} ms |")
    sparked.stop()


if __name__ == "__main__":
    main()
