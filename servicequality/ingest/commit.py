"""Import a customer's export (CSV, Excel .xlsx, Parquet) into the store, through a mapping file.

Guarantees (GitHub issue 5):
- every row read is either stored or rejected with its file, line, column, value and reason
  (`rejected_rows`); read = stored + rejected is asserted here and enforced by a CHECK in
  `import_runs`;
- the import is atomic: `store.build_atomically(..., start_from_existing=True)` writes a new file
  beside the database and renames it into place, so a failure or a kill leaves the previous data
  intact and the running dashboard (which holds the file read-only) never waits on a lock;
- the same file with the same mapping is recognised by sha256 and adds nothing; rows whose key
  is already stored are rejected as duplicates;
- cell text is never evaluated: spreadsheet formula text (=, +, -, @ ...) is stored as text and
  shown or exported with a leading quote (`safe_cell`);
- a file or mapping that cannot be imported at all raises `ImportProblem`, one line saying what is
  wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from servicequality import store
from servicequality.ingest import bulk, keys, limits
from servicequality.ingest.customers import KEY_ENV, CustomerKeyError, fingerprint, key_file, load_key
from servicequality.ingest.mapping import KEYS, TARGETS, Mapping, MappingError
from servicequality.ingest.mapping import load as load_mapping
from servicequality.ingest.read import ImportProblem, read_table
from servicequality.ingest.survey_spec import ANSWERS
from servicequality.ingest.validate import Rejection, _Importer, _store_state
from servicequality.store import rollups
from servicequality.store.writer import pause_point

# --- the import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    target: str
    file_name: str
    mapping_name: str
    database: Path
    run_id: int | None = None
    rows_read: int = 0
    rows_stored: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    branches_created: int = 0
    categories_created: int = 0
    already_imported: tuple[int, str] | None = None  # (run_id, finished_at) of the identical earlier import
    encoding: str | None = None
    delimiter: str | None = None
    warnings: list[str] = field(default_factory=list)
    # seconds per step: reading the file and checking it before the store is touched ("checking"),
    # then store.PHASES ("filling": validating and writing the rows)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def summary(self) -> str:
        if self.already_imported:
            run, when = self.already_imported
            return (
                f"import {self.target}: {self.file_name} with mapping {self.mapping_name} was already imported "
                f"(run {run}, {when}): nothing added to {self.database}"
            )
        lines = [
            f"import {self.target}: {self.file_name} with mapping {self.mapping_name} into {self.database} "
            f"(run {self.run_id})",
            f"  rows read {self.rows_read:,}, stored {self.rows_stored:,}, rejected {self.rows_rejected:,}",
        ]
        extra = []
        if self.branches_created:
            extra.append(f"branches created {self.branches_created:,}")
        if self.categories_created:
            extra.append(f"complaint categories created {self.categories_created:,}")
        if extra:
            lines.append("  " + ", ".join(extra))
        lines.extend(f"  warning: {w}" for w in self.warnings)
        if self.seconds:
            lines.append("  " + self.took())
        if self.rejected:
            reasons: dict[str, int] = {}
            for r in self.rejected:
                key = _reason_kind(r.reason)
                reasons[key] = reasons.get(key, 0) + 1
            top = sorted(reasons.items(), key=lambda kv: -kv[1])[:5]
            lines.append("  top reasons: " + "; ".join(f"{n:,} × {k}" for k, n in top))
            lines.append(
                f"  see them: python -m servicequality rejected --run {self.run_id} --db {self.database}"
                " (or the Data page)"
            )
        return "\n".join(lines)

    def took(self) -> str:
        """`took 105.2 s: ...` with each step's seconds, and the rows stored per second of validating
        and writing them."""
        words = {
            "checking": "checking the file",
            "copying": "copying the store",
            "filling": "validating and writing",
            "refreshing": "the rollups",
            "committing": "committing",
        }
        steps = ", ".join(f"{words[k]} {v:,.1f}" for k, v in self.seconds.items() if k in words)
        text = f"took {sum(self.seconds.values()):,.1f} s ({steps})"
        filling = self.seconds.get("filling")
        if filling and self.rows_read >= 100_000:
            text += f"; {self.rows_read / filling:,.0f} rows/s validated and written"
        return text


def _reason_kind(reason: str) -> str:
    """A reason without its particular values, so that like reasons are counted together."""
    text = re.sub(r"\([^)]*\)|'[^']*'", "…", reason)
    return text.split(": ")[0][:80]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _previous_import(db: Path, file_hash: str, mapping_hash: str, target: str) -> tuple[int, str] | None:
    if not db.exists():
        return None
    con = store.connect_read_only(db)
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if "import_runs" not in tables:
            return None
        row = con.execute(
            "select run_id, strftime(finished_at, '%Y-%m-%d %H:%M') from import_runs "
            "where file_sha256 = $f and mapping_sha256 = $m and target = $t order by run_id desc limit 1",
            {"f": file_hash, "m": mapping_hash, "t": target},
        ).fetchone()
        return None if row is None else (row[0], row[1])
    finally:
        con.close()


# Columns inserted per target, in the store's tables.

_STORE_TABLE = {
    "tickets": "tickets",
    "surveys": "survey_responses",
    "branches": "branches",
    "customers-served": "customers_served",
    "visits": "visits",
    "targets": "service_targets",
    "categories": "complaint_categories",
}


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]], columns: list[str], replace: bool = False
) -> None:
    if not rows:
        return
    import pyarrow as pa

    data = pa.table({c: pa.array([r.get(c) for r in rows]) for c in columns})
    con.register("import_rows", data)
    try:
        verb = "insert or replace into" if replace else "insert into"
        # Table and column names come from the constants above, never from the file or mapping.
        cols = ", ".join(columns)
        con.execute(f"{verb} {table} ({cols}) select {cols} from import_rows")
    finally:
        con.unregister("import_rows")


def _mapping_for(target: str, mapping_path: Path | str) -> Mapping:
    """The mapping file, checked, for this target."""
    if target not in TARGETS:
        raise ImportProblem(f"unknown import target {target!r}: use one of {', '.join(TARGETS)}")
    try:
        mapping = load_mapping(mapping_path)
    except MappingError as exc:
        raise ImportProblem(str(exc)) from None
    if mapping.target != target:
        raise ImportProblem(
            f"{mapping.path.name} maps {mapping.target}, not {target}: run `import {mapping.target}` or pick a "
            f"{target} mapping"
        )
    return mapping


def _write_source_rows(con: duckdb.DuckDBPyConnection, target: str, importer: _Importer, run_id: int, source: str):
    """Which run and mapping each stored ticket or response came from, and a survey's scores."""
    if target not in ("tickets", "surveys"):
        return
    for r in importer.rows:
        r["run_id"], r["source"] = run_id, source
    if target == "tickets":
        _insert(con, "ticket_sources", importer.rows, ["ticket_id", "run_id", "source", "timely_response"])
        linked = [r for r in importer.rows if r.get("customer_key")]
        _insert(con, "ticket_customers", linked, ["ticket_id", "customer_key"])
        return
    _insert(con, "survey_sources", importer.rows, ["response_id", "run_id", "source"])
    linked = [r for r in importer.rows if r.get("customer_key")]
    _insert(con, "response_customers", linked, ["response_id", "customer_key"])
    _insert(
        con,
        "survey_scores",
        importer.scores,
        ["response_id", "component_key", "item", "expectation", "perception", "adequate"]
        + ["scale_min", "scale_max", "reversed"],
    )
    _insert(con, "survey_item_missing", importer.missing, ["response_id", "component_key", "item", "reason", "code"])
    _insert(con, "survey_importance", importer.importance, ["response_id", "component_key", "points"])


def _customer_key(mapping: Mapping, db: Path) -> bytes | None:
    """The store's key (ingest.customers): it hashes the file's customer ids, and the rows' content
    for an [id] template's {hash}, when the mapping has either."""
    uses_hash = mapping.id_template is not None and "{hash" in mapping.id_template
    has_customer = mapping.target == "visits" or any(
        "customer" in part for part in (mapping.columns, mapping.constants, mapping.defaults)
    )
    if not uses_hash and not has_customer:
        return None
    try:
        return load_key(db)
    except CustomerKeyError as exc:
        raise ImportProblem(str(exc)) from None


def run_import(
    target: str,
    file: Path | str,
    mapping_path: Path | str,
    db: Path | str,
    *,
    progress=None,
    default_targets: bool = False,
    wait: float = 0.0,
) -> ImportResult:
    """Import `file` into the database `db` through the mapping; see the module docstring.

    One import at a time per store (store.writer): when another is writing `db`, this waits up to
    `wait` seconds, then raises ImportProblem having changed nothing. `progress(stage, done, total)`,
    when given, is called every 5,000 rows validated ("validating"; total = the file's data lines, an
    upper bound when cells span lines) and once before writing ("writing")."""
    file, db = Path(file), Path(os.path.realpath(db))  # a symlinked store: the file it points to
    clock = time.perf_counter()
    mapping = _mapping_for(target, mapping_path)
    table = read_table(file, mapping)  # checks the file before any database work
    pause_point("reading")
    checked = time.perf_counter() - clock
    try:
        with store.writer_lock(db, wait=wait, what=f"an import of {file.name}"):
            # the clock of "checking" leaves out the wait for another writer
            clock = time.perf_counter() - checked
            return _import_locked(target, file, mapping, table, db, progress, default_targets, clock)
    except store.StoreBusy as exc:
        raise ImportProblem(str(exc)) from None


def _refuse_stored_again(con, file: Path, file_hash: str, target: str, importer: _Importer) -> None:
    """The same file imported before with another mapping: rows its earlier runs stored would be
    stored again when the new mapping makes other ids (an [id] template that changed): refuse. More
    rows stored than the file has rows not yet stored can only be such repeats."""
    earlier = con.execute(
        "select count(*), coalesce(sum(rows_stored), 0), max(run_id) from import_runs "
        "where file_sha256 = $f and target = $t",
        {"f": file_hash, "t": target},
    ).fetchall()[0]
    runs, stored_before, last = earlier
    if target in ("targets", "categories"):
        return  # settings: a row with a stored key replaces the old one, by design
    if runs and importer.stored > importer.read - stored_before:
        raise ImportProblem(
            f"{file.name} was imported before (run {last}; {stored_before:,} rows stored) with another mapping, and "
            f"this one would store at least {importer.stored - (importer.read - stored_before):,} of those rows "
            "again under other ids (its [id] template differs?): nothing was changed; import it with the earlier "
            "mapping, or into a new store"
        )


def _check_key(con, key: bytes, run_id: int, db: Path) -> None:
    """The key is the one the store's customer keys and {hash} ids were made with (store_keys): a lost
    key file quietly replaced by a new one, or another $SQ_CUSTOMER_KEY, would split every customer
    in two and store every row again. The first import with a key records its fingerprint."""
    mine = fingerprint(key)
    recorded = con.execute("select fingerprint from store_keys where purpose = 'customer'").fetchall()
    if not recorded:
        con.execute("insert into store_keys values ('customer', $f, $r)", {"f": mine, "r": run_id})
    elif recorded[0][0] != mine:
        raise ImportProblem(
            f"the store's customer keys and {{hash}} ids were made with another key (fingerprint {recorded[0][0]}, "
            f"this key's {mine}): restore {key_file(db).name} from its backup or set ${KEY_ENV} to the store's "
            "key; nothing was changed"
        )


def _remove_leftovers(db: Path) -> list[str]:
    """Delete what a killed import or rebuild left beside the store (we hold the writer lock); say so."""
    files, size = store.remove_leftovers(db)
    if not files:
        return []
    return [
        f"removed {files} temporary file(s) ({size / 1e6:,.0f} MB) left by an earlier import or rebuild that was "
        "stopped before it finished"
    ]


def _waiting_keys(con: duckdb.DuckDBPyConnection, importer: _Importer) -> bool:
    """The keys of the rows waiting to be written and their lines, as the temporary table
    import_waiting_keys: those validated here and those validated in bulk (ingest.bulk). False when
    no row waits."""
    names = KEYS[importer.m.target]
    cols = ", ".join(names)
    # Table and column names from the constants KEYS and _STORE_TABLE, never from the file or mapping.
    con.execute(
        f"create or replace temp table import_waiting_keys as select {cols}, cast(0 as bigint) as line "
        f"from {_STORE_TABLE[importer.m.target]} limit 0"
    )
    if importer.rows:  # pyarrow only then: its first use costs a CLI import 0.35 s of loading
        import pyarrow as pa

        lines = [line for line, _ in importer.origins]
        data = pa.table(
            {**{n: pa.array([r[n] for r in importer.rows]) for n in names}, "line": pa.array(lines, "int64")}
        )
        con.register("waiting_rows", data)
        try:
            con.execute(f"insert into temp.import_waiting_keys select {cols}, line from waiting_rows")
        finally:
            con.unregister("waiting_rows")
    if importer.bulk is not None and importer.bulk.waiting:
        con.execute(f"insert into temp.import_waiting_keys select {cols}, line from temp.bulk_waiting")
    return bool(importer.rows) or (importer.bulk is not None and importer.bulk.waiting > 0)


def _stored_keys(con: duckdb.DuckDBPyConnection, importer: _Importer) -> set:
    """The keys of the waiting rows (temp.import_waiting_keys) that the store already holds
    (keys.stored: their stored form or its composed one)."""
    target = importer.m.target
    if target in ("targets", "categories"):
        return set()  # settings: a row with a stored key replaces the old one
    # Table and column names from the constants KEYS and _STORE_TABLE, never from the file or mapping.
    found = con.execute(keys.stored("temp.import_waiting_keys", _STORE_TABLE[target], KEYS[target])).fetchall()
    return {row[0] if len(row) == 1 else tuple(row) for row in found}


def _earlier_in_file(con: duckdb.DuckDBPyConnection, importer: _Importer) -> dict[Any, int]:
    """The waiting rows (temp.import_waiting_keys) whose key a row of the file written before has:
    key -> that row's line. The other waiting rows' keys join those, with their lines, in a
    temporary table of this import's connection (DuckDB's, bounded and spilled to disk: 10 M keys
    in a Python dict took about 1 GB); the importer checks only the rows waiting for repeats among
    themselves."""
    names = KEYS[importer.m.target]
    cols = ", ".join(names)
    # Table and column names from the constants KEYS and _STORE_TABLE, never from the file or mapping.
    con.execute(
        f"create temp table if not exists import_file_keys as "
        f"select {cols}, cast(0 as bigint) as line from {_STORE_TABLE[importer.m.target]} limit 0"
    )
    on = " and ".join(f"k.{n} is not distinct from w.{n}" for n in names)
    found = con.execute(
        f"select {', '.join('w.' + n for n in names)}, min(k.line) from temp.import_waiting_keys as w "
        f"join temp.import_file_keys as k on {on} group by all"
    ).fetchall()
    con.execute(
        f"insert into temp.import_file_keys select {cols}, line from temp.import_waiting_keys as w "
        f"where not exists (select 1 from temp.import_file_keys as k where {on})"
    )
    return {(row[0] if len(names) == 1 else tuple(row[:-1])): row[-1] for row in found}


def _write_rows(con: duckdb.DuckDBPyConnection, importer: _Importer, run_id: int) -> None:
    """The rows validated since the last call, after the branches and categories they name; then
    the importer forgets them."""
    target = importer.m.target
    if importer.bulk is not None and importer.bulk.whole:
        pass  # the whole file's rows, their keys checked new to the file and the store (bulk.whole_file)
    elif _waiting_keys(con, importer):
        earlier = _earlier_in_file(con, importer)
        importer.reject_stored(_stored_keys(con, importer), earlier)
    branches = [b for k, b in importer.new_branches.items() if k not in importer.written_refs]
    categories = [c for k, c in importer.new_categories.items() if ("category", k) not in importer.written_refs]
    _insert(con, "branches", branches, ["branch_id", "name", "region", "city", "branch_type", "size_band", "opened_on"])
    _insert(con, "complaint_categories", categories, ["category", "family", "component_key", "description"])
    importer.written_refs.update(b["branch_id"] for b in branches)
    importer.written_refs.update(("category", c["category"]) for c in categories)
    fields = [f.name for f in TARGETS[target] if f.name not in ("timely_response", "customer")]
    if target == "visits":
        fields.insert(0, "customer_key")
    if target == "surveys":
        fields += [f"{p}_{part}" for p in ANSWERS.values() for part in ("answer", "min", "max")]
    replace = target in ("targets", "categories")
    _insert(con, _STORE_TABLE[target], importer.rows, fields, replace=replace)
    _write_source_rows(con, target, importer, run_id, importer.m.name)
    if importer.bulk is not None and importer.bulk.waiting:
        importer.bulk.write(fields, run_id, importer.m.name)
    importer.written()


def _write_run(
    con: duckdb.DuckDBPyConnection,
    result: ImportResult,
    importer: _Importer,
    file_hash: str,
    mapping_hash: str,
    started: dt.datetime,
) -> None:
    """The rows still waiting, the run and the rejected rows."""
    _write_rows(con, importer, result.run_id)
    con.execute(
        "insert into import_runs values ($run, $started, $finished, $target, $file, $fh, $mapping, $mh, "
        "$read, $stored, $rejected, $branches)",
        {
            "run": result.run_id,
            "started": started,
            "finished": dt.datetime.now(),
            "target": result.target,
            "file": result.file_name,
            "fh": file_hash,
            "mapping": importer.m.name,
            "mh": mapping_hash,
            "read": result.rows_read,
            "stored": result.rows_stored,
            "rejected": result.rows_rejected,
            "branches": result.branches_created,
        },
    )
    _insert(
        con,
        "rejected_rows",
        [
            {
                "run_id": result.run_id,
                "file_name": result.file_name,
                "line": r.line,
                "column_name": r.column,
                "value": r.value,
                "reason": r.reason,
                "row_json": json.dumps(r.row, ensure_ascii=False)[:20000],
            }
            for r in importer.rejected
        ],
        ["run_id", "file_name", "line", "column_name", "value", "reason", "row_json"],
    )


# The fact tables an import of tickets or surveys appends to, and the days of the rows a run stored
# (the rollups recompute only those: store.rollups.refresh). Other targets replace or add reference
# rows that any day may read: the rollups are refreshed whole.
_APPENDS = {
    "tickets": (
        ("tickets", "ticket_sources", "ticket_customers"),
        "select distinct cast(t.opened_at as date) from tickets as t "
        "join ticket_sources as s on s.ticket_id = t.ticket_id where s.run_id = $r",
    ),
    "surveys": (
        ("survey_responses", "survey_sources", "response_customers", "survey_scores", "survey_item_missing")
        + ("survey_importance",),
        "select distinct cast(r.submitted_at as date) from survey_responses as r "
        "join survey_sources as s on s.response_id = r.response_id where s.run_id = $r",
    ),
}


def _change(con: duckdb.DuckDBPyConnection, target: str, before: rollups.Before, run_id: int) -> rollups.Change | None:
    if target not in _APPENDS:
        return None
    tables, days = _APPENDS[target]
    found = con.execute(days, {"r": run_id}).fetchall()
    return rollups.Change(before, frozenset(tables), tuple(sorted(d for (d,) in found)))


def _new_importer(con: duckdb.DuckDBPyConnection, mapping: Mapping, table, state, customer_key) -> _Importer:
    """The validator of the file's rows, with the plainly clean ones validated in bulk on `con`
    when the mapping allows it (ingest.bulk)."""
    importer = _Importer(mapping, table, state, customer_key)
    if any(alias.isascii() for alias in importer.branch_alias):
        return importer  # a stored branch that composes to ASCII (K with a KELVIN SIGN): the rules map it
    if (the_plan := bulk.plan(mapping, importer.col_of, importer.index)) is not None:
        importer.bulk = bulk.Batches(con, the_plan)
    return importer


def _import_locked(target, file, mapping, table, db, progress, default_targets, clock: float) -> ImportResult:
    result = ImportResult(target, file.name, mapping.name, db, encoding=table.encoding, delimiter=table.delimiter)
    result.warnings.extend(table.warnings)
    result.warnings.extend(_remove_leftovers(db))
    file_hash = file_sha256(file)
    try:
        earlier = _previous_import(db, file_hash, mapping.sha256, target)
    except store.StoreError as exc:
        raise ImportProblem(f"{exc}"[:300]) from None
    if earlier:
        result.already_imported = earlier
        return result
    started = dt.datetime.now()
    customer_key = _customer_key(mapping, db)

    def fill(con: duckdb.DuckDBPyConnection) -> rollups.Change | None:
        seeded = store.seed_default_targets(con) if default_targets else 0
        before = rollups.before_change(con)
        state = _store_state(con, target)
        importer = _new_importer(con, mapping, table, state, customer_key)
        pause_point("validating")
        importer.run(progress, write=lambda done: _write_rows(con, done, state.next_run))
        if importer.read == 0:
            raise ImportProblem(f"{file.name} has a header but no data rows: nothing to import")
        _write_rows(con, importer, state.next_run)  # the last rows: those whose ids the store holds are rejected
        importer.rejected.sort(key=lambda r: r.line)  # those join the list when written: in line order again
        _refuse_stored_again(con, file, file_hash, target, importer)
        if customer_key is not None:
            _check_key(con, customer_key, state.next_run, db)
        result.run_id = state.next_run
        result.rows_read = importer.read
        result.rows_stored = importer.stored
        result.rejected = importer.rejected
        result.branches_created = len(importer.new_branches)
        result.categories_created = len(importer.new_categories)
        if mapping.undated:
            result.warnings.append(
                f"the export and the mapping give no date: every response is dated {importer.now.date()}, the "
                "import date (map submitted_at in [columns], or set it in [constants] for a survey wave)"
            )
        assert result.rows_read == result.rows_stored + result.rows_rejected, "a row was neither stored nor rejected"
        if progress is not None:
            progress("writing", result.rows_read, result.rows_read)

        pause_point("writing")
        _write_run(con, result, importer, file_hash, mapping.sha256, started)
        keys.check(con, target, result.run_id)
        for temp in ("import_file_keys", "import_waiting_keys", "bulk_checked"):
            con.execute(f"drop table if exists temp.{temp}")  # their memory goes to the refresh
        (stored,) = con.execute(
            "select rows_read - rows_stored - rows_rejected from import_runs where run_id = $r", {"r": result.run_id}
        ).fetchone()
        assert stored == 0
        return None if seeded else _change(con, target, before, result.run_id)

    result.seconds["checking"] = time.perf_counter() - clock
    try:
        store.build_atomically(
            db,
            fill,
            start_from_existing=True,
            what=f"an import of {file.name}",
            memory_mb=limits.MEMORY_MB.value(),
            phases=result.seconds,
        )
    except duckdb.ConstraintException as exc:
        raise ImportProblem(
            f"the store refused the rows ({str(exc).splitlines()[0][:200]}); nothing was changed"
        ) from None
    except duckdb.OutOfMemoryException:
        raise ImportProblem(
            f"DuckDB needed more than {limits.MEMORY_MB.value():,} MB to write the import: nothing was changed; set "
            f"{limits.MEMORY_MB.env} higher (in MB) and import again"
        ) from None
    except duckdb.IOException as exc:
        raise ImportProblem(
            f"cannot write beside {db} ({str(exc).splitlines()[0][:200]}); nothing was changed"
        ) from None
    return result
