"""Command line: `python -m servicequality <command> ...`.

Commands register themselves in COMMANDS (name -> Command), so adding one (e.g. `import`)
means writing a `configure` and a `run` function and adding one entry; `main` stays as is.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from servicequality import catalog, store


@dataclass(frozen=True)
class Command:
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _later(module: str, function: str) -> Callable:
    """`module.function`, imported when first called: a daily `import` need not load what `report`
    needs (scipy and the report modules: about 1 s of every import's start)."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), function)(*args, **kwargs)

    return call


SUMMARY_TABLES = (
    "branches",
    "customers_served",
    "tickets",
    "survey_responses",
    "survey_scores",
    "survey_importance",
)


def table_counts(path: Path, tables: Sequence[str] = SUMMARY_TABLES) -> dict[str, int]:
    """Rows per table, read through a read-only connection (the dashboard may be running)."""
    con = store.connect_read_only(path)
    try:
        # Table names come from the constant tuple above, never from user input.
        return {t: con.execute("select count(*) from " + t).fetchone()[0] for t in tables}
    finally:
        con.close()


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    from servicequality.demo.generator import SCALES

    parser.add_argument("--out", type=Path, default=store.DEFAULT_DB, help="database file (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; the same seed gives the same database")
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        default="default",
        help="default: 48 branches, ~400k tickets; bench: 10M tickets; medium: a reduced bench; tiny: for tests",
    )
    parser.add_argument("--if-missing", action="store_true", help="do nothing when the output file exists")


def _run_demo(args: argparse.Namespace) -> int:
    from servicequality import demo

    out: Path = args.out
    if args.if_missing and out.exists():
        print(f"demo: {out} exists, left as is")
        return 0
    started = time.perf_counter()
    demo.build(out, seed=args.seed, scale=args.scale)
    seconds = time.perf_counter() - started
    counts = ", ".join(f"{t} {n:,}" for t, n in table_counts(out).items())
    print(f"demo: wrote {out} (seed {args.seed}, scale {args.scale}) in {seconds:.1f} s: {counts}")
    return 0


def _configure_refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=store.DEFAULT_DB, help="database file (default: %(default)s)")
    parser.add_argument(
        "--if-stale", action="store_true", help="do nothing when the rollups match the base tables' row counts"
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="rebuild inside the file instead of writing a new one and renaming it (only when no dashboard reads it)",
    )
    spark = parser.add_argument_group(
        "on Spark", "build the rollups with Spark from a Parquet history (`export --parquet`) into a new snapshot"
    )
    spark.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb", help="default: %(default)s")
    spark.add_argument("--history", type=Path, help="the Parquet history (a directory `export --parquet` wrote)")
    spark.add_argument(
        "--out", type=Path, help="the snapshot directory the dashboard reads (SQ_DATABASE or --db may name it)"
    )
    spark.add_argument(
        "--rollups-only",
        action="store_true",
        help="leave the tickets and responses in the history (the snapshot grows with branches and days, not "
        "tickets); the dashboard then reads them on Spark (SQ_ENGINE=spark)",
    )


def _run_refresh(args: argparse.Namespace) -> int:
    from servicequality.store import rollups

    if args.engine == "spark":
        return _refresh_on_spark(args)
    db: Path = args.db
    if not db.exists():
        print(f"refresh: no database at {db}", file=sys.stderr)
        return 1
    if db.is_dir():
        return _check_snapshot(db)
    if args.if_stale and _is_fresh(db):
        print(f"refresh: the rollups in {db} are up to date")
        return 0
    started = time.perf_counter()

    def say(line: str) -> None:
        print(f"refresh: {line}", file=sys.stderr, flush=True)

    if args.in_place:
        with store.writer_lock(db, wait=3600, what="a refresh in place", notify=say):  # never beside an import
            con = store.connect_read_write(db)
            try:
                store.create_schema(con)  # today's views, which the rollups read
                rollups.refresh(con)
                con.execute("checkpoint")
            finally:
                con.close()
    else:
        store.build_atomically(db, lambda con: None, start_from_existing=True, notify=say)  # refreshes on the way
    print(f"refresh: rebuilt the rollups of {db} in {time.perf_counter() - started:.1f} s")
    return 0


def _is_fresh(db: Path) -> bool:
    """The file's rollups were built by this code from its base tables (read-only: a dashboard may
    be reading it)."""
    from servicequality.store import rollups

    con = store.connect_read_only(db)
    try:
        return rollups.is_fresh(con)
    finally:
        con.close()


def _check_snapshot(directory: Path) -> int:
    """A snapshot directory is rebuilt by Spark, never in place: say whether its snapshot is current."""
    from servicequality.store import snapshot

    try:
        path = snapshot.current(directory)
        fresh = _is_fresh(path)
    except store.StoreError as exc:
        print(f"refresh: {exc}", file=sys.stderr)
        return 1
    if fresh:
        print(f"refresh: {path} (the snapshot {directory} points to) is up to date")
        return 0
    print(
        f"refresh: {path} was built by other code; rebuild the snapshot with "
        f"`python -m servicequality refresh --engine spark --history DIR --out {directory}`",
        file=sys.stderr,
    )
    return 1


def _refresh_on_spark(args: argparse.Namespace) -> int:
    from servicequality.store import snapshot, spark

    if args.history is None or args.out is None:
        print("refresh --engine spark needs --history DIR and --out DIR", file=sys.stderr)
        return 2
    if not (args.history / "tickets").is_dir():
        print(f"refresh: {args.history} is not a Parquet history (no tickets/ in it)", file=sys.stderr)
        return 1
    started = time.perf_counter()
    engine = spark.SparkEngine.local()
    try:
        path = snapshot.build_with_spark(engine, args.history, args.out, rollups_only=args.rollups_only)
    finally:
        engine.stop()
    print(f"refresh: Spark built the rollups of {args.history} into {path} in {time.perf_counter() - started:.1f} s")
    print(f"refresh: {args.out / snapshot.POINTER} names it; serve it with --db {args.out}")
    if args.rollups_only:
        print("refresh: its tickets and responses stay in the history: serve it with SQ_ENGINE=spark to read them")
    return 0


def _configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=store.DEFAULT_DB, help="database file (default: %(default)s)")
    parser.add_argument("--parquet", type=Path, required=True, help="the history directory to write")
    parser.add_argument(
        "--since",
        metavar="YYYY-MM",
        help="append the months from this one on as new files (an import's new months) instead of rewriting",
    )


def _run_export(args: argparse.Namespace) -> int:
    from servicequality.store import history

    if args.since is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.since):
        print(f"export: --since takes a month as YYYY-MM, not {args.since!r}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    con = store.connect_read_only(args.db)
    try:
        if args.since:
            counts = history.append(con, args.parquet, since=args.since)
        else:
            counts = history.export(con, args.parquet)
    finally:
        con.close()
    rows = ", ".join(f"{t} {n:,}" for t, n in counts.items())
    print(f"export: wrote {args.parquet} in {time.perf_counter() - started:.1f} s: {rows}")
    return 0


def _configure_sql(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", help="a query name (a file in queries/); omitted: list them all")
    parser.add_argument(
        "--selected",
        nargs="*",
        default=[],
        metavar="SELECTION",
        choices=list(catalog.SELECTIONS),
        help="the sidebar selections that are set (e.g. channels segments): prints the SQL that then runs",
    )
    parser.add_argument("--plain", action="store_true", help="print the plain reference (no rollups) instead")


# How a plain form is made (store.runner.load_query): the header line that asks for it.
WAYS = (
    ("-- Measures:", "-- Measures:"),
    ("-- Oracle:", "-- Oracle: rollup_"),
    ("store/models/", "-- Oracle: the rollups' models"),
)


def _run_sql(args: argparse.Namespace) -> int:
    """Print the SQL a named query runs; every value in it is a bound $parameter."""
    if not args.query:
        print("\n".join(store.query_names()))
        return 0
    try:
        query = store.load_query(args.query)
    except KeyError:
        print(f"sql: no query named {args.query!r}; `python -m servicequality sql` lists them", file=sys.stderr)
        return 1
    shown = (store.QUERIES_DIR / (args.query + ".sql")).relative_to(store.PROJECT_ROOT)
    if args.plain:
        query = store.load_query(args.query, plain=True)
        # The plain form is the query's own text: its "-- Measures:" sums over the base views, its
        # "-- Oracle:" sources swapped for their views, any other rollup computed by its model.
        ways = [w for w, mark in WAYS if mark in query.header]
        if ways:
            shown = f"{shown}, its plain form ({', '.join(ways)} on the base views)"
        else:
            shown = f"{shown} (reads no rollup: it is its own plain form)"
    print(f"-- {shown}")
    print(f"-- binds: {', '.join('$' + p for p in sorted(query.parameters)) or 'nothing'}")
    # the selections named are set, the others not: the text the runner then runs (store.runner
    # answers each selection's null test); Explore's and the Rows page's own parameters stay as written
    print(query.sql_for({name: [] if name in args.selected else None for name in catalog.SELECTIONS}).rstrip())
    return 0


COMMANDS: dict[str, Command] = {
    "sql": Command("print the SQL of a named query (what a page's number comes from)", _configure_sql, _run_sql),
    "refresh": Command("rebuild the pre-aggregated rollup tables the queries read", _configure_refresh, _run_refresh),
    "demo": Command("build the deterministic demo database", _configure_demo, _run_demo),
    "export": Command(
        "write the base tables as a Parquet history partitioned by month (for Spark)", _configure_export, _run_export
    ),
    "import": Command(
        "import an export (CSV, .xlsx, Parquet) through a mapping file",
        _later("servicequality.ingest.cli", "configure_import"),
        _later("servicequality.ingest.cli", "run_import_command"),
    ),
    "rejected": Command(
        "print the rows an import rejected, and why",
        _later("servicequality.ingest.cli", "configure_rejected"),
        _later("servicequality.ingest.cli", "run_rejected_command"),
    ),
    "report": Command(
        "write the snapshot report of a period (PDF or HTML): headline numbers, weakest components, "
        "handling against targets, branches outside their limits",
        _later("servicequality.reports.cli", "configure"),
        _later("servicequality.reports.cli", "run"),
    ),
    "alerts": Command(
        "evaluate the alert rules of a file and send new signals by e-mail and webhook, once each",
        _later("servicequality.reports.cli", "configure_alerts"),
        _later("servicequality.reports.cli", "run_alerts"),
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m servicequality", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    argv = sys.argv[1:] if argv is None else list(argv)
    chosen = next((a for a in argv if not a.startswith("-")), None)  # the parser has no option taking a value
    for name, command in COMMANDS.items():
        command_parser = sub.add_parser(name, help=command.help, description=command.help)
        if name == chosen:  # only its options: another command's need not be imported
            command.configure(command_parser)
    args = parser.parse_args(argv)
    return COMMANDS[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
