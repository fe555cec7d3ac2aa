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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from servicequality import domain, store
from servicequality.ingest.cells import identifier_problem
from servicequality.ingest.convert import Reject, convert
from servicequality.ingest.customers import CustomerKeyError, load_key, pseudonym
from servicequality.ingest.lines import Unreadable
from servicequality.ingest.mapping import TARGETS, Field, Mapping, MappingError
from servicequality.ingest.mapping import load as load_mapping
from servicequality.ingest.read import FUTURE_TOLERANCE, ImportProblem, Table, _list, read_table
from servicequality.ingest.survey_rows import SurveyRows
from servicequality.ingest.survey_spec import ANSWERS
from servicequality.store.writer import pause_point

# --- the import --------------------------------------------------------------------------------


@dataclass
class Rejection:
    line: int
    column: str | None
    value: str | None
    reason: str
    row: dict[str, str]


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


@dataclass
class _StoreState:
    """What the store already holds, for validation."""

    keys: set
    branches: set
    categories: set
    channels: set
    components: set
    next_run: int


def _store_state(con: duckdb.DuckDBPyConnection, target: str) -> _StoreState:
    def col(sql: str) -> set:
        return {r[0] for r in con.execute(sql).fetchall()}

    key_sql = {
        "tickets": "select ticket_id from tickets",
        "surveys": "select response_id from survey_responses",
        "branches": "select branch_id from branches",
        "customers-served": "select branch_id, served_on from customers_served",
        "visits": "select customer_key, branch_id, visited_on, channel from visits",
    }
    # targets and categories are settings: a row with an existing key replaces the old one.
    keys: set = set()
    if target in key_sql:
        rows = con.execute(key_sql[target]).fetchall()
        keys = {r if len(r) > 1 else r[0] for r in rows}
    return _StoreState(
        keys=keys,
        branches=col("select branch_id from branches"),
        categories=col("select category from complaint_categories"),
        channels=set(domain.CHANNELS) | col("select channel from service_targets"),
        components=col("select component_key from components"),
        next_run=con.execute("select coalesce(max(run_id), 0) + 1 from import_runs").fetchone()[0],
    )


class _Importer:
    """Turns the table's rows into store rows or rejections (no database access)."""

    def __init__(self, mapping: Mapping, table: Table, state: _StoreState, customer_key: bytes | None = None):
        self.m, self.t, self.state = mapping, table, state
        # the customer id is hashed as soon as it is read (ingest.customers): only the hash is kept
        self.customer_key = customer_key
        self.fields = TARGETS[mapping.target]
        self.index = {name: i for i, name in reversed(list(enumerate(table.header)))}
        self.col_of = dict(mapping.columns)
        for name, column in self.col_of.items():
            # A header that drifted between years: the first alias the file has stands in.
            if column.strip() not in self.index:
                present = [a for a in mapping.aliases.get(name, ()) if a.strip() in self.index]
                self.col_of[name] = present[0] if present else column
        missing = [c for c in self.col_of.values() if c.strip() not in self.index]
        missing += [c for cols in mapping.combined.values() for c in cols if c.strip() not in self.index]
        if missing:
            raise ImportProblem(
                f"{table.file_name}: column {missing[0]!r} named in [columns] of {mapping.path.name} is not in the "
                f"file (its columns: {_list(table.header)}); fix the name in the mapping"
            )
        dupes = {c for c in self.col_of.values() if table.header.count(c.strip()) > 1}
        if dupes:
            raise ImportProblem(
                f"{table.file_name}: column {sorted(dupes)[0]!r} appears twice in the header: rename one"
            )
        self.survey = SurveyRows(mapping.survey, table, self.index, mapping.path.name) if mapping.survey else None
        self.used = self._used_columns()
        self.used_in_order = sorted(self.used)
        self.contents: dict[str, int] = {}  # {hash} ids: how often each row content was seen
        self.seen: dict[Any, int] = {}
        self.rows: list[dict[str, Any]] = []
        self.scores: list[dict[str, Any]] = []
        self.missing: list[dict[str, Any]] = []
        self.importance: list[dict[str, Any]] = []
        self.rejected: list[Rejection] = []
        self.new_branches: dict[str, dict[str, Any]] = {}
        self.new_categories: dict[str, dict[str, Any]] = {}
        self.read = 0
        self.now = dt.datetime.now()

    def _content_id(self, cells: list[str]) -> str:
        """{hash} of an [id] template: the first 16 hex digits of the SHA-256 of the row's cells (all of
        them, as exported), then ".2", ".3" for the second and third identical row in the file. The
        same row gets the same id whether the export comes whole, in parts or again with more rows
        appended ({row} numbers restart in every part, so each part's rows would be taken for the
        first's). Only rows identical in every cell and split across parts meet: the later ones are
        rejected as duplicates, with the reason."""
        text = "\x1f".join(c.strip() for c in cells)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        seen = self.contents[digest] = self.contents.get(digest, 0) + 1
        return digest if seen == 1 else f"{digest}.{seen}"

    def _used_columns(self) -> set[int]:
        """The indices of the columns this import reads (a broken cell elsewhere does not matter)."""
        names = {c.strip() for c in self.col_of.values()}
        names |= {c.strip() for cols in self.m.combined.values() for c in cols}
        used = {self.index[n] for n in names if n in self.index}
        if self.survey is not None:
            used |= {i for _, _, roles in self.survey.items for i in roles.values()}
            used |= {i for _, i in self.survey.answers.values()}
        return used

    # One source row -> stored rows, or a Reject.
    def _value(self, f: Field, cells: list[str], row_number: int) -> tuple[Any, str | None, str | None]:
        m = self.m
        column = self.col_of.get(f.name)
        if m.id_field == f.name and column is None:
            content = self._content_id(cells) if "{hash" in m.id_template else None
            return m.id_template.format(row=row_number, hash=content), None, None
        if f.name in m.combined:  # e.g. a date column and a time column, joined with a space
            parts = [cells[self.index[c.strip()]].strip() for c in m.combined[f.name]]
            joined = " ".join(p for p in parts if p)
            return joined, " + ".join(m.combined[f.name]), joined
        if m.undated and f.name == "submitted_at":
            return dt.datetime.combine(self.now.date(), dt.time()).isoformat(), None, None
        if column is None:
            raw = m.constants.get(f.name)
        else:
            raw = cells[self.index[column.strip()]].strip()
        if column is not None and f.name in m.values:
            listed = m.values[f.name]
            # "*" maps every other non-blank value (a fallback for values nobody listed)
            raw = listed.get(raw, listed.get("*", raw) if raw else raw)
        if (raw is None or raw == "") and f.name in m.defaults:
            raw = m.defaults[f.name]
        return raw, column, (cells[self.index[column.strip()]] if column is not None else None)

    def process(self, line: int, cells: list[str]) -> None:
        self.read += 1
        row_number = self.read
        try:
            if isinstance(cells, Unreadable):
                raise Reject(cells.reason)
            if len(cells) != len(self.t.header):
                raise Reject(
                    f"row has {len(cells)} fields, the header has {len(self.t.header)}: a stray delimiter or quote",
                    None,
                    None,
                )
            if not any(c.strip() for c in cells):
                raise Reject("empty row")
            if self.t.cell_problems:
                self._check_cells(line)
            record = self._record(cells, row_number)
            self._check_row(record, cells)
        except Reject as r:
            self.rejected.append(
                Rejection(line, r.column, None if r.value is None else str(r.value), r.reason, self._row_dict(cells))
            )

    def _check_cells(self, line: int) -> None:
        """A cell the import reads holds an Excel error value or sits under merged cells: reject."""
        for i in self.used_in_order:
            if (problem := self.t.cell_problems.get(line, i)) is not None:
                raise Reject(problem, self.t.header[i], None)

    def _row_dict(self, cells: list[str] | Unreadable) -> dict[str, str]:
        """The rejected row as the export wrote it, for the rejected-rows table; the customer id column
        withheld (the store never holds a customer's own id, rejected or not)."""
        if isinstance(cells, Unreadable):
            withheld = self.col_of.get("customer") is not None
            return {"(the line as written)": "(withheld: the line holds a customer id)" if withheld else cells.text}
        header = self.t.header
        out = {header[i] if i < len(header) else f"(extra {i + 1})": c for i, c in enumerate(cells)}
        if (column := self.col_of.get("customer")) is not None and column.strip() in out:
            out[column.strip()] = CUSTOMER_WITHHELD
        return out

    def _record(self, cells: list[str], row_number: int) -> dict[str, Any]:
        record = {}
        for f in self.fields:
            raw, column, original = self._value(f, cells, row_number)
            if raw is None or raw == "":
                if f.required:
                    raise Reject(f"{f.name} is required but blank", column, original)
                record[f.name] = None
                continue
            try:
                record[f.name] = convert(f, raw, self.m.date_formats)
            except ValueError as exc:
                raise Reject(str(exc), column, original if original is not None else raw) from None
            if f.name in _IDENTIFIERS and (problem := identifier_problem(str(record[f.name]))):
                shown = CUSTOMER_WITHHELD if f.name == "customer" else original
                raise Reject(f"{f.name} {problem}", column, shown)
        return record

    def _check_row(self, record: dict[str, Any], cells: list[str]) -> None:
        target = self.m.target
        col = self.col_of.get

        def original(name: str, value: Any) -> Any:
            """The cell as the export wrote it (not as parsed), when the field comes from a column."""
            column = col(name)
            return cells[self.index[column.strip()]] if column is not None else value

        self._check_dates(record, original)
        if "customer" in record:
            raw = record.pop("customer")
            record["customer_key"] = None if raw is None else pseudonym(raw, self.customer_key)
        if target == "tickets":
            self._check_ticket(record, original)
        self._check_references(record)
        scores, missing, importance = self._survey(record, cells) if target == "surveys" else ([], [], [])
        self._check_key(record)
        if target in ("tickets", "surveys", "customers-served", "visits"):
            self._create_branch(record["branch_id"])
        self.rows.append(record)
        self.scores.extend(scores)
        self.missing.extend(missing)
        self.importance.extend(importance)

    def _check_dates(self, record: dict[str, Any], original) -> None:
        for name, value in record.items():
            if not isinstance(value, dt.date):  # datetime is a date too
                continue
            stamp = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            if stamp > self.now + FUTURE_TOLERANCE:
                raise Reject(f"{name} is in the future ({value})", self.col_of.get(name), original(name, value))
            if stamp.year < 1900:
                raise Reject(
                    f"{name} is before 1900 ({value}): a wrong date format?",
                    self.col_of.get(name),
                    original(name, value),
                )

    def _check_ticket(self, record: dict[str, Any], original) -> None:
        col = self.col_of.get
        opened = record["opened_at"]
        for name in ("first_response_at", "resolved_at"):
            if record[name] is not None and record[name] < opened:
                word = "closed" if name == "resolved_at" else "answered"
                raise Reject(
                    f"{word} before opened ({name} {record[name]} < opened_at {opened})",
                    col(name),
                    original(name, record[name]),
                )
        # reopened_count and escalated stay None when the export does not record them: "not
        # recorded", never a measured 0.
        category = record["category"]
        if category is None or category in self.state.categories or category in self.new_categories:
            return
        rule = next((r for r in self.m.category_rules if r.pattern.search(category)), None)
        if rule is not None and rule.label:
            # The rule groups free-text categories: the ticket is filed under the rule's label.
            record["category"] = category = rule.label
            if category in self.state.categories or category in self.new_categories:
                return
        if rule is None:
            raise Reject(
                f"unknown complaint category {category!r}: import it (categories) or add a [[category.rules]] "
                "entry that matches it",
                col("category"),
                category,
            )
        self.new_categories[category] = {
            "category": category,
            "family": rule.family,
            "component_key": rule.component,
            "description": rule.description or f"Imported from {self.m.name}",
        }

    def _check_references(self, record: dict[str, Any]) -> None:
        """The channel, component and branch a row names exist (or may be created)."""
        target, col = self.m.target, self.col_of.get
        if target in ("tickets", "surveys", "visits"):
            channel = record["channel"]
            if channel is not None and channel not in self.state.channels and channel not in self.m.channels:
                raise Reject(
                    f"unknown channel {channel!r}: map it in [values.channel] or list it in channels = [...]",
                    col("channel"),
                    channel,
                )
        if target == "categories" and record["component_key"] not in self.state.components:
            raise Reject(
                f"unknown component {record['component_key']!r}", col("component_key"), record["component_key"]
            )
        if target in ("tickets", "surveys", "customers-served", "visits"):
            self._check_branch(record["branch_id"], col("branch_id"))

    def _check_key(self, record: dict[str, Any]) -> None:
        """No two rows of the file, nor a row and the store, share a key."""
        from servicequality.ingest.mapping import KEYS

        target = self.m.target
        key = tuple(record[k] for k in KEYS[target])
        key = key[0] if len(key) == 1 else key
        parts = [
            "(customer)" if name == "customer_key" else str(value)
            for name, value in zip(KEYS[target], key if isinstance(key, tuple) else (key,), strict=True)
        ]
        shown = ", ".join(parts)  # a customer's key is never written out, not even as a duplicate's
        key_column = self.col_of.get(KEYS[target][0]) or self.m.id_field
        if key in self.seen:
            raise Reject(f"duplicate id {shown!r} in the file (first at line {self.seen[key]})", key_column, shown)
        if key in self.state.keys:
            raise Reject(f"duplicate id {shown!r}: already in the store", key_column, shown)
        self.seen[key] = self._line_of_current

    def _create_branch(self, branch: str) -> None:
        """Note a branch the store lacks, to be created from [new_branches]."""
        if branch in self.state.branches or branch in self.new_branches:
            return
        nb = self.m.new_branches
        self.new_branches[branch] = {
            "branch_id": branch,
            "name": nb.name.get(branch, branch),
            "region": nb.region.get(branch, nb.region.get("*", branch)),
            "city": nb.city.get(branch, nb.name.get(branch, branch)),
            "branch_type": nb.branch_type,
            "size_band": nb.size_band,
            "opened_on": None,
        }

    def _check_branch(self, branch: str, column: str | None) -> None:
        if branch in self.state.branches or branch in self.new_branches or self.m.new_branches is not None:
            return
        raise Reject(
            f"unknown branch {branch!r}: import branches first, or add [new_branches] to the mapping", column, branch
        )

    def _survey(self, record: dict[str, Any], cells: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
        scores, missing, importance = self.survey.item_rows(record["response_id"], cells)
        record |= self.survey.answer_fields(record, cells)
        # On the classic scales the answers also feed CSAT (satisfied = 4-5 of 1-5) and NPS (0-10).
        for name, prefix, scale in (("overall_satisfaction", "satisfaction", (1, 5)), ("nps", "recommend", (0, 10))):
            answer, on = record[f"{prefix}_answer"], (record[f"{prefix}_min"], record[f"{prefix}_max"])
            if record[name] is None and answer is not None and on == scale:
                record[name] = int(answer)
        answered = scores or any(m["reason"] != "blank" for m in missing)
        if not answered and record["satisfaction_answer"] is None and record["recommend_answer"] is None:
            paired = any("expectation" in roles for _, _, roles in self.survey.items)
            raise Reject(
                "no SERVQUAL item answered (every expectation and perception is blank)"
                if paired
                else "no survey item answered (every rating cell is blank)"
            )
        return scores, missing, importance

    def run(self, progress=None) -> None:
        every = 0
        for line, cells in self.t.rows:
            self._line_of_current = line
            self.process(line, cells)
            every += 1
            if progress is not None and every == 5000:
                progress("validating", self.read, self.t.total_rows)
                every = 0
        if progress is not None:
            progress("validating", self.read, self.t.total_rows)


def _reason_kind(reason: str) -> str:
    """A reason without its particular values, so that like reasons are counted together."""
    text = re.sub(r"\([^)]*\)|'[^']*'", "…", reason)
    return text.split(": ")[0][:80]


def _natural(code: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code)]


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
CUSTOMER_WITHHELD = "(customer id withheld)"
# Ids whose look-alikes would be stored as a second ticket, response, branch or customer (ingest.cells).
_IDENTIFIERS = ("ticket_id", "response_id", "branch_id", "customer")

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
    """The key that hashes the file's customer ids (ingest.customers), when the mapping has any."""
    if "customer" not in mapping.columns and "customer" not in mapping.constants and mapping.target != "visits":
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
    file, db = Path(file), Path(db)
    mapping = _mapping_for(target, mapping_path)
    table = read_table(file, mapping)  # checks the file before any database work
    pause_point("reading")
    try:
        with store.writer_lock(db, wait=wait, what=f"an import of {file.name}"):
            return _import_locked(target, file, mapping, table, db, progress, default_targets)
    except store.StoreBusy as exc:
        raise ImportProblem(str(exc)) from None


def _remove_leftovers(db: Path) -> list[str]:
    """Delete what a killed import or rebuild left beside the store (we hold the writer lock); say so."""
    files, size = store.remove_leftovers(db)
    if not files:
        return []
    return [
        f"removed {files} temporary file(s) ({size / 1e6:,.0f} MB) left by an earlier import or rebuild that was "
        "stopped before it finished"
    ]


def _write(
    con: duckdb.DuckDBPyConnection,
    result: ImportResult,
    importer: _Importer,
    file_hash: str,
    mapping_hash: str,
    started: dt.datetime,
) -> None:
    """The run, its new branches and categories, the stored rows and the rejected ones."""
    target, file_name, mapping = result.target, result.file_name, importer.m
    con.execute(
        "insert into import_runs values ($run, $started, $finished, $target, $file, $fh, $mapping, $mh, "
        "$read, $stored, $rejected, $branches)",
        {
            "run": result.run_id,
            "started": started,
            "finished": dt.datetime.now(),
            "target": target,
            "file": file_name,
            "fh": file_hash,
            "mapping": mapping.name,
            "mh": mapping_hash,
            "read": result.rows_read,
            "stored": result.rows_stored,
            "rejected": result.rows_rejected,
            "branches": result.branches_created,
        },
    )
    _insert(
        con,
        "branches",
        list(importer.new_branches.values()),
        ["branch_id", "name", "region", "city", "branch_type", "size_band", "opened_on"],
    )
    _insert(
        con,
        "complaint_categories",
        list(importer.new_categories.values()),
        ["category", "family", "component_key", "description"],
    )
    fields = [f.name for f in TARGETS[target] if f.name not in ("timely_response", "customer")]
    if target == "visits":
        fields.insert(0, "customer_key")
    if target == "surveys":
        fields += [f"{p}_{part}" for p in ANSWERS.values() for part in ("answer", "min", "max")]
    replace = target in ("targets", "categories")
    _insert(con, _STORE_TABLE[target], importer.rows, fields, replace=replace)
    _write_source_rows(con, target, importer, result.run_id, mapping.name)
    _insert(
        con,
        "rejected_rows",
        [
            {
                "run_id": result.run_id,
                "file_name": file_name,
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


def _import_locked(target, file, mapping, table, db, progress, default_targets) -> ImportResult:
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

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        if default_targets:
            store.seed_default_targets(con)
        state = _store_state(con, target)
        importer = _Importer(mapping, table, state, customer_key)
        pause_point("validating")
        importer.run(progress)
        if importer.read == 0:
            raise ImportProblem(f"{file.name} has a header but no data rows: nothing to import")
        result.run_id = state.next_run
        result.rows_read = importer.read
        result.rows_stored = len(importer.rows)
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
        _write(con, result, importer, file_hash, mapping.sha256, started)
        (stored,) = con.execute(
            "select rows_read - rows_stored - rows_rejected from import_runs where run_id = $r", {"r": result.run_id}
        ).fetchone()
        assert stored == 0

    try:
        store.build_atomically(db, fill, start_from_existing=True, what=f"an import of {file.name}")
    except duckdb.ConstraintException as exc:
        raise ImportProblem(
            f"the store refused the rows ({str(exc).splitlines()[0][:200]}); nothing was changed"
        ) from None
    except duckdb.IOException as exc:
        raise ImportProblem(
            f"cannot write beside {db} ({str(exc).splitlines()[0][:200]}); nothing was changed"
        ) from None
    return result
