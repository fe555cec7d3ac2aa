"""Opening the DuckDB store: atomic builds, read-only connections, the schema, store checks.

Concurrency rule (DuckDB file locks): while a process holds a database file read-write no
other process can open it at all. So nothing ever writes to the file the dashboard reads:
a build or import writes a new file beside it and renames it into place (an atomic rename on
POSIX). The dashboard opens read-only and reconnects when the file's identity changes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from servicequality import domain
from servicequality.store import writer
from servicequality.store.writer import pause_point, remove_leftovers, writer_lock

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA_FILE = Path(__file__).with_name("schema.sql")
DEFAULT_DB = PROJECT_ROOT / "data" / "demo.duckdb"

# Tables that must hold rows for the dashboard to have anything to show.
CORE_TABLES = ("branches", "tickets", "survey_responses")

# The fact tables (a row per ticket, response or answer, and the import attributes beside them). A
# snapshot built with `refresh --engine spark --rollups-only` leaves them in the Parquet history and
# lists them in HISTORY_FACTS (table_name, row_count, location of the history, location of the
# rollups' Parquet): the queries that read them run on Spark (store.engine).
FACT_TABLES = (
    "ticket_customers",
    "response_customers",
    "visits",
    "ticket_sources",
    "survey_sources",
    "survey_scores",
    "survey_item_missing",
    "survey_importance",
    "survey_responses",
    "tickets",
)  # in an order they can be dropped in (each before the tables its keys reference)
HISTORY_FACTS = "history_facts"


class StoreError(RuntimeError):
    """The database is missing, unreadable or empty: a message for the user, not a traceback."""


def database_path() -> Path:
    """The database the dashboard reads: $SQ_DATABASE, else the demo database. A directory of
    snapshots (store.snapshot) stands for the snapshot its pointer names now."""
    path = Path(os.environ.get("SQ_DATABASE", DEFAULT_DB))
    if path.is_dir():
        from servicequality.store import snapshot  # a leaf module of this package's

        return snapshot.current(path)
    return path


STORE_CATALOG = "sq_store"


def connect_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file at `path` as it is now.

    `duckdb.connect(path)` reuses the database instance already open for that path in this
    process, so after an import renamed a new file into place it would keep serving the old
    one while any old connection lives. Attaching the file to a fresh in-memory instance opens
    it anew. Cursors start in the in-memory catalog: take them with `cursor(con)`.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError(
            f"No database at {path}. Run `make run` to build the demo database, or import your own data (see README)."
        )
    con = duckdb.connect(":memory:", config=read_only_config())
    try:
        # The catalog name is the constant above (identifiers cannot be bound); the path is bound.
        con.execute("attach $path as " + STORE_CATALOG + " (read_only)", {"path": str(path)})
        con.execute("use " + STORE_CATALOG)
    except duckdb.Error as exc:  # corrupt file, not a DuckDB file, locked by a writer
        con.close()
        raise StoreError(f"Cannot open the database at {path}: {exc}") from exc
    return con


def read_only_config() -> dict[str, str | bool]:
    """DuckDB settings of the dashboard's connections.

    A memory limit keeps the dashboard process small on a big store (DuckDB would otherwise let
    its buffer pool grow to 80 % of the machine's memory); what does not fit spills to a
    temporary directory. 500 MB: on the 10M-ticket bench store every page's plain queries (the
    heaviest path) still run, and the server's peak RSS drops from ~1.2 GB (1 GB limit) to
    ~0.7 GB; 300 MB made some plain queries fail. $SQ_DUCKDB_MEMORY overrides it (e.g. "1GB").
    """
    return {
        "autoinstall_known_extensions": False,
        "memory_limit": os.environ.get("SQ_DUCKDB_MEMORY", "500MB"),
        "temp_directory": str(Path(tempfile.gettempdir()) / "servicequality-duckdb"),
    }


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new cursor on `con`, pointed at the attached store when there is one."""
    cur = con.cursor()
    try:
        # One statement, not a catalog lookup first: every query of a page pays for this.
        cur.execute("use " + STORE_CATALOG)
    except duckdb.CatalogException:
        pass  # a connection straight to the file (imports, tests): its catalog is the default
    return cur


def connect_read_write(path: Path | str, *, memory_mb: int | None = None, spill: Path | None = None):
    """A read-write connection; with `memory_mb`, DuckDB holds at most that much and spills the rest
    to the folder `spill`."""
    config: dict[str, str | bool] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if memory_mb is not None:
        config |= {"memory_limit": f"{memory_mb}MB", "temp_directory": str(spill)}
    return duckdb.connect(str(path), config=config)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and seed the reference data (components, complaint taxonomy). Service
    targets are not reference data: a store has the targets somebody set (an import of targets,
    `import --default-targets`, or the demo's), never invented ones."""
    _allow_not_recorded(con)
    old_scores = _set_aside_survey_scores(con)
    _add_columns(con)
    keyed = _set_aside_fact_keys(con)
    con.execute(SCHEMA_FILE.read_text())
    if old_scores:
        # Columns from the constant below, never from input; the old rows keep the 1-7 scale.
        con.execute(f"insert into survey_scores ({_V1_SCORES}) select {_V1_SCORES} from survey_scores_v1")
        con.execute("drop table survey_scores_v1")
    for table in keyed:  # names from FACT_TABLES; columns matched by name (added ones come last in old files)
        con.execute(f"insert into {table} by name select * from {_KEYED_PREFIX}{table}")
        con.execute(f"drop table {_KEYED_PREFIX}{table}")
    con.executemany(
        "insert into components values ($1, $2, $3, $4, $5) on conflict do nothing",
        [(c.key, c.name, c.rater_group, c.description, i + 1) for i, c in enumerate(domain.COMPONENTS)],
    )
    con.executemany(
        "insert into complaint_categories values ($1, $2, $3, $4) on conflict do nothing",
        [tuple(c) for c in domain.COMPLAINT_CATEGORIES],
    )


# The views of schema.sql (recreated by it); and the ticket fields an export may not record.
VIEWS = (
    "ticket_facts",
    "ticket_as_of",
    "response_component_scores",
    "response_component_performance",
    "response_answers",
    "servqual_scores",
    "customers_served_facts",
)
OPTIONAL_TICKET_FIELDS = ("reopened_count", "escalated")


def _allow_not_recorded(con: duckdb.DuckDBPyConnection) -> None:
    """Stores written before reopening and escalation could be "not recorded" (null) had them NOT
    NULL with a default of 0 / false: widen them. The views that read tickets are dropped first
    (DuckDB cannot alter a table a view depends on); schema.sql recreates them right after."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_catalog = current_database() "
        "and table_name = 'tickets' and is_nullable = 'NO' and list_contains($fields, column_name)",
        {"fields": list(OPTIONAL_TICKET_FIELDS)},
    ).fetchall()
    not_null = {column for (column,) in rows}
    if not not_null:
        return
    # DDL takes identifiers, which cannot be bound as $parameters: the names spliced below are the
    # constants VIEWS and OPTIONAL_TICKET_FIELDS themselves, never text from a file or a user.
    for view in VIEWS:
        con.execute(f"drop view if exists {view}")
    for column in OPTIONAL_TICKET_FIELDS:
        if column in not_null:
            con.execute(f"alter table tickets alter column {column} drop not null")
            con.execute(f"alter table tickets alter column {column} drop default")


_V1_SCORES = "response_id, component_key, item, expectation, perception, adequate"
# Columns added to a table after stores were first written: (table, column, type), from constants.
_ADDED_COLUMNS = (
    *(
        ("survey_responses", f"{measure}_{part}", kind)
        for measure in ("satisfaction", "recommend")
        for part, kind in (("answer", "double"), ("min", "smallint"), ("max", "smallint"))
    ),
    ("tickets", "resolution_target_at", "timestamp"),
)


def _set_aside_survey_scores(con: duckdb.DuckDBPyConnection) -> bool:
    """Stores written before performance-only surveys had survey_scores with expectation NOT NULL
    and a fixed 1-7 scale: set it aside, so that schema.sql creates today's table and the rows move
    over (create_schema). True when there was such a table."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_catalog = current_database() "
        "and table_name = 'survey_scores'"
    ).fetchall()
    if not rows or ("scale_min",) in rows:
        return False
    for view in VIEWS:  # the constant above: DuckDB cannot rename a table a view reads
        con.execute(f"drop view if exists {view}")
    # A copy, not a rename: the old table's foreign key would keep survey_responses from being
    # dropped (_set_aside_fact_keys).
    con.execute("create table survey_scores_v1 as select * from survey_scores")
    con.execute("drop table survey_scores")
    return True


_KEYED_PREFIX = "keyed_"


def _set_aside_fact_keys(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """Stores written before 2026-12-04 declared primary and foreign keys on the fact tables. Their
    indexes were two thirds of the file (the medium demo: 1,212 MB, 417 MB without them), which every
    import copies, and every row written paid four index operations; the import checks keys itself
    (ingest/keys.py). Each such table's rows are copied aside (in their order) and the table
    dropped, so that schema.sql creates today's and create_schema moves the rows back: the fact
    tables that had keys, in FACT_TABLES' order."""
    rows = con.execute(
        "select distinct table_name from duckdb_constraints() where database_name = current_database() "
        "and constraint_type in ('PRIMARY KEY', 'FOREIGN KEY') and list_contains($facts, table_name)",
        {"facts": list(FACT_TABLES)},
    ).fetchall()
    if not rows:
        return ()
    # A table that references another has a foreign key itself, so it is among them; FACT_TABLES'
    # order drops it before the table it references.
    moved = tuple(t for t in FACT_TABLES if (t,) in rows)
    for view in VIEWS:
        con.execute(f"drop view if exists {view}")
    # Names from FACT_TABLES and the prefix above, never from input.
    for table in moved:
        con.execute(f"create table {_KEYED_PREFIX}{table} as select * from {table}")
    for table in moved:
        con.execute(f"drop table {table}")
    return moved


def _add_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Columns today's schema has that an existing store's table lacks (a new store gets them from
    schema.sql)."""
    for table, column, kind in _ADDED_COLUMNS:
        present = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_catalog = current_database() "
                "and table_name = $t",
                {"t": table},
            ).fetchall()
        }
        if present and column not in present:
            for view in VIEWS:
                con.execute(f"drop view if exists {view}")
            con.execute(f"alter table {table} add column {column} {kind}")  # names from the constant above


def seed_default_targets(con: duckdb.DuckDBPyConnection) -> int:
    """Add the demo's default service targets (domain.service_targets) for each channel and priority
    that has none; returns how many were added. Only the demo and an explicit request call it."""
    ((before,),) = con.execute("select count(*) from service_targets").fetchall()
    con.executemany(
        "insert into service_targets values ($1, $2, $3, $4) on conflict do nothing",
        domain.service_targets(),
    )
    ((after,),) = con.execute("select count(*) from service_targets").fetchall()
    return after - before


def build_atomically(
    target: Path | str,
    fill: Callable[[duckdb.DuckDBPyConnection], None],
    *,
    start_from_existing: bool = False,
    refresh: bool = True,
    wait: float = 3600.0,
    what: str = "a rebuild",
    notify=None,
    memory_mb: int | None = None,
    phases: dict[str, float] | None = None,
) -> Path:
    """Write a database to a temporary file beside `target`, then rename it into place.

    A failure or a kill before the rename leaves `target` exactly as it was. With
    `start_from_existing`, the new file starts as a copy of the current one (an import adds
    to what is there); otherwise it starts empty with the schema and reference data. The rollups are
    refreshed last, unless `refresh` is off (`fill` wrote them: a snapshot of rollups Spark built):
    only what the new rows touch when `fill` returns a `rollups.Change` (an import), else all of them.

    One writer at a time (store.writer): this waits up to `wait` seconds for another writer of
    `target` to finish (then StoreBusy), and first removes what a killed writer left behind.
    `memory_mb` bounds DuckDB's memory (an import: ingest.limits.MEMORY_MB); what does not fit spills
    to a temporary folder of its own, removed after. `phases`, when given, receives the seconds of
    each step (PHASES).
    """
    target = Path(os.path.realpath(target))  # a symlinked store: the file it points to is replaced, not the link
    with writer_lock(target, wait=wait, what=what, notify=notify):
        remove_leftovers(target)
        return _build(
            target,
            fill,
            start_from_existing=start_from_existing,
            refresh=refresh,
            memory_mb=memory_mb,
            phases={} if phases is None else phases,
        )


# The steps of a build whose seconds `build_atomically` reports, in order.
PHASES = ("copying", "filling", "refreshing", "committing")


def _build(target: Path, fill, *, start_from_existing: bool, refresh: bool, memory_mb: int | None, phases) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_building(target)
    spill = Path(str(tmp) + ".spill") if memory_mb is not None else None  # a killed writer's: a leftover
    clock = [time.perf_counter()]

    def done(phase: str) -> None:
        now = time.perf_counter()
        phases[phase] = phases.get(phase, 0.0) + now - clock[0]
        clock[0] = now

    try:
        if start_from_existing and target.exists():
            _copy_file(target, tmp)
        done("copying")
        con = connect_read_write(tmp, memory_mb=memory_mb, spill=spill)
        try:
            if start_from_existing and target.exists() and _has_table(con, HISTORY_FACTS):
                raise StoreError(
                    f"{target.name} is a snapshot whose tickets and responses stay in its Parquet history: "
                    "import into the store the history is exported from, then rebuild the snapshot."
                )
            create_schema(con)
            change = fill(con)
            if memory_mb is not None:
                # The rows written so far go to disk, and the connection is opened again: the primary
                # keys' indexes the inserts built stay in memory while it is open (234 MB after
                # 10 M tickets; the process then held 1,135 MB, 346 MB once opened again), a new one
                # loads only the parts it touches, so the refresh has the whole bound (a 10 M-row
                # import ran out of 1 GB without this; with it, it peaks at 1.6 GB).
                con.execute("checkpoint")
                con.close()
                con = connect_read_write(tmp, memory_mb=memory_mb, spill=spill)
            done("filling")
            if refresh:
                from servicequality.store import rollups  # imports store: imported here, not at the top

                pause_point("refreshing")
                rollups.refresh(con, change if isinstance(change, rollups.Change) else None)
                done("refreshing")
            con.execute("checkpoint")
            ((used, free),) = con.execute("select used_blocks, free_blocks from pragma_database_size()").fetchall()
        finally:
            con.close()
        if free > max(used, COMPACT_MIN_BLOCKS):
            compacted = _compact(target, tmp, memory_mb=memory_mb, spill=spill)
            tmp.unlink()
            tmp = compacted
        pause_point("committing")
        # The old file's write-ahead log (a refresh in place killed after a commit) was replayed into
        # the copy; beside the new file DuckDB would refuse to open it ("WAL ... does not match").
        Path(str(target) + ".wal").unlink(missing_ok=True)
        writer.replace(tmp, target)  # a large old file is freed apart, after this returns
        done("committing")
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    finally:
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)
    return target


# A file of at least this many free blocks (256 KB each) that are more than its used ones is
# written again compactly before it replaces the store (_compact).
COMPACT_MIN_BLOCKS = 256


def _new_building(target: Path) -> Path:
    """A name for a file being built beside `target`, which store.writer.leftovers recognises."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent)
    os.close(fd)
    os.unlink(name)  # DuckDB must create the file itself
    return Path(name)


def _compact(target: Path, built: Path, *, memory_mb: int | None, spill: Path | None) -> Path:
    """`built` written again into a new file without its free blocks: the new file's path.

    DuckDB reuses a file's free blocks but never gives them back, and every import copies the whole
    file. A store whose fact tables lost their key indexes (_set_aside_fact_keys) is two thirds free
    blocks (the medium demo: 1,609 used and 3,970 free, 1.46 GB; written again, 420 MB in 13 s); a
    whole refresh frees the old rollups' blocks, which later writes take again. `copy from database`
    decodes and encodes every table, so it runs only when more than half the file is free."""
    compact = _new_building(target)
    try:
        con = connect_read_write(compact, memory_mb=memory_mb, spill=spill)
        try:
            con.execute("set enable_progress_bar = false")
            ((name,),) = con.execute("select current_database()").fetchall()
            # The catalog names are a constant and DuckDB's own name of the new file, quoted; the path is bound.
            con.execute("attach $path as built_store (read_only)", {"path": str(built)})
            con.execute("copy from database built_store to " + '"' + name.replace('"', '""') + '"')
            con.execute("detach built_store")
            con.execute("checkpoint")
        finally:
            con.close()
    except BaseException:
        compact.unlink(missing_ok=True)
        Path(str(compact) + ".wal").unlink(missing_ok=True)
        raise
    return compact


def _copy_file(source: Path, copy: Path) -> None:
    """The store's file as it is, byte for byte, with its write-ahead log if it has one (a refresh in
    place that was killed left what it committed there; DuckDB replays it on opening the copy).

    Safe while readers have it open: nothing writes a store's file but its writer-lock holder, which
    is the caller. A byte copy is the disk's speed (the demo's 283 MB: 0.6 s), where DuckDB's `copy
    from database` decoded and re-encoded every table (6.6 s)."""
    shutil.copyfile(source, copy)
    wal = Path(str(source) + ".wal")
    if wal.exists():
        shutil.copyfile(wal, Path(str(copy) + ".wal"))


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    ((found,),) = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() and table_name = $t",
        {"t": name},
    ).fetchall()
    return found > 0


def check_store(con: duckdb.DuckDBPyConnection) -> None:
    """Raise StoreError with a plain message when the store lacks tables or rows."""
    cur = cursor(con)
    try:
        present = {
            r[0]
            for r in cur.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = 'main'"
            ).fetchall()
        }
        elsewhere = facts_elsewhere(con)
        missing = [t for t in CORE_TABLES if t not in present and t not in elsewhere]
        if missing:
            raise StoreError(
                f"The database has no {', '.join(missing)} table: it is not a service-quality store. "
                "Build the demo (`make run`) or import data (see README)."
            )
        # Table names come from the constant CORE_TABLES above, never from input.
        counts = row_counts(con, CORE_TABLES)
        empty = [t for t in CORE_TABLES if counts[t] == 0]
        if len(empty) == len(CORE_TABLES) or "branches" in empty:
            raise StoreError(
                "The database is empty: import branches, tickets and surveys (see README), "
                "or delete it and run `make run` to rebuild the demo."
            )
    finally:
        cur.close()


def facts_elsewhere(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str, str]]:
    """The fact tables a snapshot leaves in its Parquet history: {table: (rows, history, rollups'
    Parquet)}; empty for a store that holds its facts (every store but a `--rollups-only` snapshot)."""
    cur = cursor(con)
    try:
        found = cur.execute(
            "select count(*) from information_schema.tables where table_catalog = current_database() "
            "and table_schema = 'main' and table_name = $t",
            {"t": HISTORY_FACTS},
        ).fetchone()[0]
        if not found:
            return {}
        # The table's name is the constant above.
        rows = cur.execute(f"select table_name, row_count, location, rollups from {HISTORY_FACTS}").fetchall()
        return {name: (count, location, rollups) for name, count, location, rollups in rows}
    finally:
        cur.close()


def row_counts(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows per table: counted, or as recorded for the facts a snapshot leaves in its history."""
    elsewhere = facts_elsewhere(con)
    cur = cursor(con)
    try:
        # Table names from the callers' constants, never from input.
        return {
            t: elsewhere[t][0] if t in elsewhere else cur.execute("select count(*) from " + t).fetchone()[0]
            for t in tables
        }
    finally:
        cur.close()
