"""Snapshots: a DuckDB file per refresh, the dashboard reading the one a pointer names.

`python -m servicequality refresh --engine spark --history DIR --out SNAPSHOTS` has Spark build every
rollup table from the Parquet history (store.spark), then writes one DuckDB file:

    SNAPSHOTS/snapshot-20261202T061500Z.duckdb   base tables (read by DuckDB from the history) and
                                                  the rollups Spark built, in DuckDB's own types
    SNAPSHOTS/current                            its name, one line

The pointer is written to a temporary file and renamed over the old one (atomic on POSIX), only
after the snapshot is complete: a dashboard reads the old snapshot or the new one, never half of
one. Replicas (several dashboard processes, on one machine or on a shared disk) each open the
snapshot read-only, which DuckDB allows any number of processes at once; each notices the new
pointer on its next page (store.database_path, ui.data's file identity). The `KEEP` newest
snapshots stay, so a replica still reading the one before finishes its page.

With `--rollups-only` the snapshot leaves the fact tables (a row per ticket, response or answer) in
the history, listed in its `history_facts` table, and keeps the rollups Spark built as Parquet beside
it (`snapshot-....rollups/`): the file then grows with branches and days, not with tickets, and the
few queries no rollup answers (drill-down rows, Explore's respondents) run on Spark over the history
and those rollups when the dashboard runs with SQ_ENGINE=spark (store.engine).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from servicequality.store import history, rollups
from servicequality.store.connection import FACT_TABLES, HISTORY_FACTS, StoreError, build_atomically

if TYPE_CHECKING:
    from servicequality.store.spark import SparkEngine

POINTER = "current"
PREFIX = "snapshot-"
KEEP = 2
ROLLUPS_SUFFIX = ".rollups"
# The tables create_schema fills with reference rows before the history's rows arrive.
SEEDED = ("components", "complaint_categories")


def current(directory: Path | str) -> Path:
    """The snapshot the pointer of `directory` names."""
    directory = Path(directory)
    pointer = directory / POINTER
    if not pointer.exists():
        raise StoreError(
            f"{directory} is a directory without a snapshot pointer ({POINTER}): build one with "
            "`python -m servicequality refresh --engine spark --history DIR --out " + str(directory) + "`."
        )
    name = pointer.read_text().strip()
    if not name.startswith(PREFIX) or "/" in name or name.startswith("."):
        raise StoreError(f"The snapshot pointer {pointer} names {name!r}, not a snapshot of this directory.")
    return directory / name


def point(directory: Path, name: str) -> None:
    """Swap the pointer to `name` atomically (a temporary file renamed over it)."""
    fd, tmp = tempfile.mkstemp(prefix=".current.", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)  # replicas may run as other users
    os.replace(tmp, directory / POINTER)


def build_with_spark(
    engine: SparkEngine, history_dir: Path | str, directory: Path | str, *, rollups_only: bool = False
) -> Path:
    """Spark builds the rollups from the history; a new snapshot holds them with the base tables
    (with `rollups_only`, without the fact tables, which stay in the history); the pointer then
    names it. Returns the snapshot's path."""
    history_dir, directory = Path(history_dir).resolve(), Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    engine.open_history(history_dir)
    built = engine.build_rollups(keep_temporary=True)
    staging = Path(tempfile.mkdtemp(prefix=".rollups.", dir=directory))
    staging.chmod(0o755)  # kept beside a rollups-only snapshot: replicas may run as other users
    name = PREFIX + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + ".duckdb"
    kept = rollups_dir(directory / name)
    try:
        for table, frame in built.items():
            frame.write.mode("overwrite").parquet(str(staging / table))
        path = build_atomically(
            directory / name,
            lambda con: _fill(con, history_dir, staging, kept if rollups_only else None),
            refresh=False,
        )
        if rollups_only:
            # Spark's own rollups, for the queries that run on Spark (they read rollups and facts)
            os.replace(staging, kept)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    point(directory, name)
    _prune(directory)
    return path


def rollups_dir(snapshot_path: Path) -> Path:
    """Where a `--rollups-only` snapshot keeps the rollups Spark built, as Parquet."""
    return snapshot_path.with_suffix(ROLLUPS_SUFFIX)


def _fill(con: duckdb.DuckDBPyConnection, history_dir: Path, staging: Path, rollups_kept: Path | None) -> None:
    """The base tables from the history, then each rollup table from Spark's Parquet, cast to the
    types DuckDB's own build gives its model (a sum of integers is HUGEINT there, BIGINT or
    DECIMAL(38, 0) on Spark) and stored in the model's order. With `rollups_kept` (the rollups-only
    snapshot), the fact tables are typed from the history but hold no rows: they are dropped at the
    end and listed, with their row counts, in HISTORY_FACTS."""
    left = {}
    for table in history.TABLES:
        if rollups_kept is not None and table in FACT_TABLES:
            left[table] = con.execute(
                "select count(*) from read_parquet($files)", {"files": history.files(history_dir, table)}
            ).fetchone()[0]
            continue
        # Table names from store.history's constants; the file glob is bound. The reference rows
        # create_schema seeded (components, complaint categories) are the history's own.
        source = (
            f"select * exclude ({history.PARTITION}) from read_parquet($files, hive_partitioning = true)"
            if table in history.DATED
            else "select * from read_parquet($files)"
        )
        seeded = " on conflict do nothing" if table in SEEDED else ""
        con.execute(f"insert into {table} by name {source}{seeded}", {"files": history.files(history_dir, table)})
    settings = staging / "rollup_settings"
    con.execute("create table rollup_settings as select * from read_parquet($f)", {"f": str(settings / "*.parquet")})
    con.execute("create view response_component_means as " + rollups.RESPONSE_COMPONENT_MEANS)
    temporary = []
    for model in rollups.models():
        # Names and model texts from store/models; the file glob is bound.
        types = con.execute(f"describe select * from (\n{model.sql}\n) as m").fetchall()
        columns = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t, *_ in types)
        order = f" order by {model.order}" if model.order else ""
        kind = "temporary table" if model.temporary else "table"
        con.execute(
            f"create {kind} {model.name} as select {columns} from read_parquet($f){order}",
            {"f": str(staging / model.name / "*.parquet")},
        )
        if model.temporary:
            temporary.append(model.name)
    for name in temporary:
        con.execute("drop table " + name)
    if rollups_kept is not None:
        con.execute(
            f"create table {HISTORY_FACTS} (table_name varchar primary key, row_count bigint not null, "
            "location varchar not null, rollups varchar not null)"
        )
        for table in FACT_TABLES:
            con.execute(
                f"insert into {HISTORY_FACTS} values ($t, $n, $h, $r)",
                {"t": table, "n": left.get(table, 0), "h": str(history_dir), "r": str(rollups_kept.resolve())},
            )
            # Table names from the constant FACT_TABLES, in an order they can be dropped in.
            con.execute("drop table " + table)
    if not rollups.is_fresh(con):
        raise StoreError("The snapshot's rollups do not match its base tables: the history changed while it was built.")


def _prune(directory: Path) -> None:
    snapshots = sorted(directory.glob(PREFIX + "*.duckdb"))
    for old in snapshots[:-KEEP]:
        old.unlink(missing_ok=True)
        shutil.rmtree(rollups_dir(old), ignore_errors=True)
