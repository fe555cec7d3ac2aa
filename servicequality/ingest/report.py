"""Reading imports back: what the store holds, recent runs, rejected rows."""

from __future__ import annotations

import duckdb

from servicequality import store
from servicequality.ingest.read import safe_cell

# --- reading imports back ------------------------------------------------------------------------


def _has_import_tables(con: duckdb.DuckDBPyConnection) -> bool:
    cur = store.cursor(con)
    try:
        names = {
            r[0]
            for r in cur.execute(
                "select table_name from information_schema.tables where table_catalog = current_database()"
            ).fetchall()
        }
    finally:
        cur.close()
    return {"import_runs", "rejected_rows"} <= names


STORE_TABLES = (
    "branches",
    "customers_served",
    "tickets",
    "survey_responses",
    "survey_scores",
    "survey_item_missing",  # answers that are codes or blank, not ratings
    "survey_importance",
    "visits",  # identified customers' visits (the return rate)
    "complaint_categories",
    "service_targets",
)


def store_counts(con: duckdb.DuckDBPyConnection):
    """Rows per table of the store (a DataFrame: table, rows)."""
    import pandas as pd

    # the facts a rollups-only snapshot leaves in its history: their recorded counts
    return pd.DataFrame(list(store.row_counts(con, STORE_TABLES).items()), columns=["table", "rows"])


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 20):
    """The last imports, newest first (a DataFrame; empty when the store has no import tables)."""
    import pandas as pd

    if not _has_import_tables(con):
        return pd.DataFrame()
    cur = store.cursor(con)
    try:
        return cur.execute(
            "select run_id, finished_at, target, file_name, mapping_name, rows_read, rows_stored, rows_rejected, "
            "branches_created from import_runs order by run_id desc limit $n",
            {"n": limit},
        ).df()
    finally:
        cur.close()


def rejected_rows(con: duckdb.DuckDBPyConnection, run_id: int | None = None, limit: int | None = None):
    """Rejected rows of one run (the last when None), formula text neutralised for display."""
    import pandas as pd

    if not _has_import_tables(con):
        return pd.DataFrame()
    cur = store.cursor(con)
    try:
        if run_id is None:
            run_id = cur.execute("select max(run_id) from import_runs").fetchone()[0]
        frame = cur.execute(
            "select run_id, file_name, line, column_name, value, reason, row_json from rejected_rows "
            "where run_id = $r order by line limit $n",
            {"r": run_id, "n": limit if limit is not None else 2**62},
        ).df()
    finally:
        cur.close()
    for column in ("file_name", "column_name", "value", "reason", "row_json"):
        frame[column] = frame[column].map(safe_cell)
    return frame
