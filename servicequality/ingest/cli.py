"""The import and rejected commands (registered in servicequality/__main__.py)."""

from __future__ import annotations

from pathlib import Path

from servicequality import store
from servicequality.ingest.commit import run_import
from servicequality.ingest.mapping import TARGETS
from servicequality.ingest.read import ImportProblem, safe_cell
from servicequality.ingest.report import recent_runs, rejected_rows

# --- command line (registered in servicequality/__main__.py) -----------------------------------


def configure_import(parser) -> None:
    parser.add_argument("target", choices=list(TARGETS), help="what the file holds")
    parser.add_argument("file", type=Path, help="the export: .csv (any delimiter), .xlsx or .parquet")
    parser.add_argument(
        "--mapping", type=Path, required=True, help="mapping file (TOML), e.g. mappings/cfpb_complaints.toml"
    )
    parser.add_argument(
        "--db", type=Path, default=None, help="database file (default: $SQ_DATABASE or data/demo.duckdb)"
    )
    parser.add_argument(
        "--default-targets",
        action="store_true",
        help="also set the demo's default service targets for every channel and priority that has none "
        "(otherwise complaints are measured against targets only where targets were imported)",
    )


def run_import_command(args) -> int:
    import os
    import sys

    db = args.db or store.database_path()
    try:
        result = run_import(args.target, args.file, args.mapping, db, default_targets=args.default_targets)
    except ImportProblem as exc:
        print(f"import: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("import: interrupted; the database is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not the user's fault: still one line, and the store is intact
        if os.environ.get("SQ_DEBUG"):
            raise
        print(
            f"import: failed ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}); the database "
            "is unchanged. Set SQ_DEBUG=1 for the details and report it.",
            file=sys.stderr,
        )
        return 1
    print(result.summary())
    return 0


def configure_rejected(parser) -> None:
    parser.add_argument("--run", type=int, default=None, help="import run number (default: the last import)")
    parser.add_argument(
        "--db", type=Path, default=None, help="database file (default: $SQ_DATABASE or data/demo.duckdb)"
    )
    parser.add_argument("--csv", type=Path, default=None, help="write the rejected rows to this CSV file as well")
    parser.add_argument("--limit", type=int, default=50, help="rows to print (default %(default)s; the CSV has all)")


def run_rejected_command(args) -> int:
    import sys

    db = args.db or store.database_path()
    try:
        con = store.connect_read_only(db)
    except store.StoreError as exc:
        print(f"rejected: error: {exc}", file=sys.stderr)
        return 2
    try:
        runs = recent_runs(con, limit=1_000_000)
        if runs.empty:
            print(f"rejected: {db} has no imports yet")
            return 0
        run_id = args.run if args.run is not None else int(runs["run_id"].max())
        run = runs[runs["run_id"] == run_id]
        if run.empty:
            print(
                f"rejected: error: no import run {run_id} in {db} "
                f"(runs: {', '.join(map(str, sorted(runs['run_id'])))})",
                file=sys.stderr,
            )
            return 2
        r = run.iloc[0]
        print(
            f"run {run_id}: {r['target']} from {safe_cell(r['file_name'])} ({r['mapping_name']}), "
            f"{r['finished_at']:%Y-%m-%d %H:%M}: "
            f"read {r['rows_read']:,}, stored {r['rows_stored']:,}, rejected {r['rows_rejected']:,}"
        )
        frame = rejected_rows(con, run_id)
    finally:
        con.close()
    if args.csv:
        frame.to_csv(args.csv, index=False)
        print(f"wrote {len(frame):,} rejected rows to {args.csv}")
    for row in frame.head(args.limit).itertuples(index=False):
        where = f"line {row.line}" + (f", column {row.column_name!r}" if row.column_name else "")
        value = "" if row.value is None else f", value {str(row.value)[:60]!r}"
        print(f"  {row.file_name} {where}{value}: {row.reason}")
    if len(frame) > args.limit:
        print(f"  ... and {len(frame) - args.limit:,} more (use --limit or --csv)")
    return 0
