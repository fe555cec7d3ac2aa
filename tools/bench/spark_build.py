"""Building the rollups: DuckDB in one file against Spark in local mode over the Parquet history.

`python -m tools.bench.spark_build --db data/medium.duckdb` exports the store's base tables to a
Parquet history (store.history), then times

- DuckDB: `rollups.refresh` in the file, in a transaction rolled back after (every model, in one
  process, all cores);
- Spark: starting a local session (`local[2]`, the driver's memory from --memory), reading the
  history and building every rollup table (store.spark.SparkEngine.build_rollups), and then the
  snapshot: the rollups written as Parquet and copied into a new DuckDB file (store.snapshot);

and prints each rollup's rows and Parquet size: the most a rollup's aggregation can shuffle across
a cluster is its partial sums, one row per group per input partition, so these sizes bound the
network cost of the build (see BENCHMARKS.md, "Rollups on Spark").
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from servicequality import store
from servicequality.store import history, rollups, snapshot


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/medium.duckdb"))
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temporary one)")
    parser.add_argument("--memory", default="4g", help="Spark driver memory (local mode: driver = executor)")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--skip-snapshot", action="store_true", help="time the build and write only")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sq-spark-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"store {args.db} ({args.db.stat().st_size / 1e9:.2f} GB); scratch {work}")

    con = store.connect_read_only(args.db)
    try:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("tickets", "survey_scores")}
        started = time.perf_counter()
        history.export(con, work / "history")
        print(
            f"export --parquet: {time.perf_counter() - started:.1f} s, {_size_mb(work / 'history'):,.0f} MB, "
            f"{counts['tickets']:,} tickets, {counts['survey_scores']:,} survey scores"
        )
    finally:
        con.close()

    if not args.skip_duckdb:
        # In the file itself, inside a transaction rolled back after: the store is left as it was
        # (no copy of a 10 GB file), and nothing else may have it open meanwhile.
        con = store.connect_read_write(args.db)
        try:
            con.execute("begin")
            store.create_schema(con)
            started = time.perf_counter()
            rollups.refresh(con)
            print(f"DuckDB refresh (every rollup): {time.perf_counter() - started:.1f} s", flush=True)
            con.execute("rollback")
        finally:
            con.close()

    from servicequality.store import spark

    started = time.perf_counter()
    engine = spark.SparkEngine.local(memory=args.memory)
    print(f"Spark start (local[2], {args.memory}): {time.perf_counter() - started:.1f} s")
    try:
        started = time.perf_counter()
        engine.open_history(work / "history")
        built = engine.build_rollups(keep_temporary=True)
        print(f"Spark build (every rollup, cached): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        staging = work / "rollups"
        for name, frame in built.items():
            frame.write.mode("overwrite").parquet(str(staging / name))
        print(f"Spark write (Parquet): {time.perf_counter() - started:.1f} s")
        print(f"{'rollup':36} {'rows':>12} {'Parquet MB':>11}")
        for name in built:
            rows = engine.spark.table(name).count()
            print(f"{name:36} {rows:>12,} {_size_mb(staging / name):>11.1f}")
        if args.skip_snapshot:
            return
        started = time.perf_counter()
        path = snapshot.build_with_spark(engine, work / "history", work / "snapshots")
        print(
            f"whole refresh --engine spark (read, build, write, DuckDB snapshot): "
            f"{time.perf_counter() - started:.1f} s -> {path.stat().st_size / 1e9:.2f} GB"
        )
    finally:
        engine.stop()
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
