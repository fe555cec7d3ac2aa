"""The import and rejected commands (registered in servicequality/__main__.py)."""

from __future__ import annotations

from pathlib import Path

from servicequality import store
from servicequality.ingest.commit import run_import
from servicequality.ingest.limits import SettingError
from servicequality.ingest.mapping import TARGETS
from servicequality.ingest.read import ImportProblem, safe_cell
from servicequality.ingest.report import recent_runs, rejected_rows

# --- command line (registered in servicequality/__main__.py) -----------------------------------


def configure_import(parser) -> None:
    parser.add_argument("target", choices=list(TARGETS), help="what the file holds")
    parser.add_argument("file", type=Path, help="the export: .csv (any delimiter), .xlsx, legacy .xls or .parquet")
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
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another import is writing the same store, wait up to this long for it to end (default: "
        "refuse at once, changing nothing)",
    )
    parser.add_argument(
        "--progress",
        choices=("bar", "lines", "none"),
        default=None,
        help="bar: a progress bar with rows/s and time left on stderr (the default on a terminal); lines: "
        "'progress<TAB>stage<TAB>done<TAB>total' lines on stderr (for a caller such as the Data page); none",
    )


def run_import_command(args) -> int:
    import os
    import sys

    db = args.db or store.database_path()
    mode = args.progress or ("bar" if sys.stderr.isatty() else "none")
    report, finish = _progress(mode)
    try:
        result = run_import(
            args.target,
            args.file,
            args.mapping,
            db,
            default_targets=args.default_targets,
            wait=args.wait,
            progress=report,
        )
    except (ImportProblem, SettingError) as exc:
        finish()
        hint = "; --wait SECONDS queues behind it" if "another process is writing" in str(exc) and not args.wait else ""
        print(f"import: error: {exc}{hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        finish()
        print("import: interrupted; the database is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not the user's fault: still one line, and the store is intact
        finish()
        if os.environ.get("SQ_DEBUG"):
            raise
        print(
            f"import: failed ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}); the database "
            "is unchanged. Set SQ_DEBUG=1 for the details and report it.",
            file=sys.stderr,
        )
        return 1
    finish()
    print(result.summary())
    return 0


def _progress(mode: str):
    """(report(stage, done, total), finish()) for run_import's progress. The bar is tqdm's (well
    kept, the standard one: rate and time left built in); it appears only after 2 s, so a small
    file prints nothing but its summary."""
    import sys

    if mode == "none":
        return None, lambda: None
    if mode == "lines":

        def lines(stage: str, done: int, total: int | None) -> None:
            print(f"progress\t{stage}\t{done}\t{'' if total is None else total}", file=sys.stderr, flush=True)

        return lines, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=None, unit=" rows", unit_scale=True, desc="validating", file=sys.stderr, delay=2, leave=False)

    def update(stage: str, done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        if stage != "validating":
            bar.set_description("writing and refreshing the summaries")
        bar.update(done - bar.n)

    return update, bar.close


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
        column, value = _text(row.column_name), _text(row.value)  # the table gives NaN for "none"
        where = f"line {row.line}" + (f", column {column!r}" if column else "")
        value = "" if value is None else f", value {value[:60]!r}"
        print(f"  {row.file_name} {where}{value}: {row.reason}")
    if len(frame) > args.limit:
        print(f"  ... and {len(frame) - args.limit:,} more (use --limit or --csv)")
    return 0


def _text(value) -> str | None:
    import pandas as pd

    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
