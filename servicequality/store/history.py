"""The Parquet history: the store's base tables as Parquet files, partitioned by month.

A chain whose history outgrows one DuckDB file keeps it as Parquet (on a disk, HDFS or object
storage) and lets Spark build the rollups from it (store.spark). `export(con, directory)` writes

    <directory>/<table>/month=YYYY-MM/*.parquet   the dated tables (and the survey rows of a
                                                    response, under the response's month)
    <directory>/<table>/*.parquet                  the reference tables (branches, targets, ...)

An export writes a new directory beside the target and renames it into place (an existing history
is moved aside first and removed after), so a reader never sees half a history. `append` writes
the months of a later import into their partitions, replacing what those months held.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

# The base tables every view and rollup model reads, and how each is dated: (table, the SQL of its
# month (a column of the table or of the joined response), the join that gives it). Names and
# expressions are constants here, never input.
_RESPONSE_MONTH = "strftime(r.submitted_at, '%Y-%m')"
_BY_RESPONSE = "join survey_responses as r on r.response_id = x.response_id"
DATED: dict[str, tuple[str, str]] = {
    "tickets": ("strftime(x.opened_at, '%Y-%m')", ""),
    "customers_served": ("strftime(x.served_on, '%Y-%m')", ""),
    "survey_responses": ("strftime(x.submitted_at, '%Y-%m')", ""),
    "survey_scores": (_RESPONSE_MONTH, _BY_RESPONSE),
    "survey_item_missing": (_RESPONSE_MONTH, _BY_RESPONSE),
    "survey_importance": (_RESPONSE_MONTH, _BY_RESPONSE),
    "visits": ("strftime(x.visited_on, '%Y-%m')", ""),
    "ticket_customers": ("strftime(t.opened_at, '%Y-%m')", "join tickets as t on t.ticket_id = x.ticket_id"),
    "response_customers": (_RESPONSE_MONTH, _BY_RESPONSE),
}
REFERENCE = ("components", "branches", "complaint_categories", "service_targets")
TABLES = REFERENCE + tuple(DATED)
PARTITION = "month"
EMPTY = "none"  # the partition of an empty table's one file (its columns, no rows)


def export(con: duckdb.DuckDBPyConnection, directory: Path | str) -> dict[str, int]:
    """Write every base table of the store on `con` under `directory` (replacing what is there);
    returns the rows written per table."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent))
    try:
        counts = {table: _write(con, table, building / table) for table in TABLES}
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(building, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return counts


def append(con: duckdb.DuckDBPyConnection, directory: Path | str, *, since: str) -> dict[str, int]:
    """Write the dated rows of the months from `since` (YYYY-MM) on into their partitions, replacing
    those months' files (an import's new or corrected months: running it twice adds nothing twice);
    the reference tables are rewritten whole. Returns rows written per table."""
    directory = Path(directory)
    counts = {}
    for table in REFERENCE:
        building = directory / f".{table}.building"
        shutil.rmtree(building, ignore_errors=True)
        counts[table] = _write(con, table, building)
        shutil.rmtree(directory / table, ignore_errors=True)
        os.replace(building, directory / table)
    for table in DATED:
        for partition in (directory / table).glob(f"{PARTITION}=*"):
            month = partition.name.partition("=")[2]
            if month == EMPTY or month >= since:
                shutil.rmtree(partition)
        counts[table] = _write(con, table, directory / table, since=since, append=True)
    return counts


def _write(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, *, since: str | None = None, append: bool = False
) -> int:
    # Table names, month expressions and joins are the constants above; the path and month are bound
    # where DuckDB allows (COPY's target is a literal: it is a path we made, quoted).
    if table not in DATED:
        path.mkdir(parents=True, exist_ok=True)
        (rows,) = con.execute(f"select count(*) from {table}").fetchone()
        con.execute(f"copy (select * from {table}) to {_quote(path / 'part-0.parquet')} (format parquet)")
        return rows
    month, join = DATED[table]
    where = "where " + month + " >= $since" if since else ""
    select = f"select x.*, {month} as {PARTITION} from {table} as x {join} {where}"
    (rows,) = con.execute(f"select count(*) from ({select})", {"since": since} if since else {}).fetchone()
    if rows == 0 and not any(path.glob(f"{PARTITION}=*")):
        # an empty table still has its columns: an empty file in a partition of its own
        empty = path / f"{PARTITION}={EMPTY}"
        empty.mkdir(parents=True)
        con.execute(f"copy (select * from {table} limit 0) to {_quote(empty / 'part-0.parquet')} (format parquet)")
        return 0
    mode = "append" if append else "overwrite_or_ignore"
    con.execute(
        f"copy ({select}) to {_quote(path)} (format parquet, partition_by ({PARTITION}), {mode})",
        {"since": since} if since else {},
    )
    return rows


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def files(directory: Path | str, table: str) -> str:
    """The glob of a table's Parquet files (every partition)."""
    return str(Path(directory) / table / "**" / "*.parquet")
