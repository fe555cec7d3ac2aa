"""Validating an export's rows against the mapping and the store: each source row becomes store rows
or a Rejection with its line, column, value and reason. No database access here: the importer is
given what the store holds (`_StoreState`) and `commit` writes what it made."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import hmac
import itertools
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from servicequality import domain
from servicequality.ingest.bulk import BATCH_ROWS, Batches
from servicequality.ingest.cells import identifier_problem
from servicequality.ingest.convert import Reject, convert
from servicequality.ingest.customers import pseudonym
from servicequality.ingest.lines import Unreadable
from servicequality.ingest.mapping import AHEAD, KEYS, TARGETS, Field, Mapping
from servicequality.ingest.read import FUTURE_TOLERANCE, ImportProblem, Table, _list
from servicequality.ingest.survey_rows import SurveyRows

CUSTOMER_WITHHELD = "(customer id withheld)"
# Ids whose look-alikes would be stored as a second ticket, response, branch or customer (ingest.cells).
_IDENTIFIERS = ("ticket_id", "response_id", "branch_id", "customer")
CHUNK_ROWS = 50_000  # rows validated are written to the store's copy (and forgotten) this many at a time
CHECK_EVERY = 5_000  # rows between two progress reports (and checks whether a chunk is due)


@contextmanager
def _collector_paused():
    """Python's cycle collector off while batches of rows are validated: the rows (lists of cells,
    freed by reference counting, never in cycles) made it scan the heap over and over, a fifth of an
    import's validating time (200,000 tickets: 10.3 s -> 8.3 s)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class Rejection:
    line: int
    column: str | None
    value: str | None
    reason: str
    row: dict[str, str]


@dataclass
class _StoreState:
    """What the store already holds, for validation. (Not its ids: there can be millions. A row whose
    id the store holds is found when its rows are written, by commit, and rejected then:
    `_Importer.reject_stored`.)"""

    branches: set
    categories: set
    channels: set
    components: set
    next_run: int


def _store_state(con: duckdb.DuckDBPyConnection, target: str) -> _StoreState:
    def col(sql: str) -> set:
        return {r[0] for r in con.execute(sql).fetchall()}

    return _StoreState(
        branches=col("select branch_id from branches"),
        categories=col("select category from complaint_categories"),
        channels=set(domain.CHANNELS) | col("select channel from service_targets"),
        components=col("select component_key from components"),
        next_run=con.execute("select coalesce(max(run_id), 0) + 1 from import_runs").fetchall()[0][0],
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
        self.used_in_order = sorted(self._used_columns())  # the columns read, for the cell problems
        self.contents: dict[str, int] = {}  # {hash} ids: how often each row content was seen
        # The keys of the rows waiting to be written and their lines; those of rows written before are
        # in the store's copy (commit._earlier_in_file): 10 M keys held here took about 1 GB.
        self.seen: dict[Any, int] = {}
        # What validation made since the last write (commit writes and empties these every CHUNK rows).
        self.rows: list[dict[str, Any]] = []
        self.origins: list[tuple[int, list[str]]] = []  # each waiting row's line and cells
        self.stored = 0  # rows stored in all
        self.scores: list[dict[str, Any]] = []
        self.missing: list[dict[str, Any]] = []
        self.importance: list[dict[str, Any]] = []
        self.rejected: list[Rejection] = []
        self.new_branches: dict[str, dict[str, Any]] = {}
        self.new_categories: dict[str, dict[str, Any]] = {}
        self.written_refs: set = set()  # new branches and ("category", name) already written
        # branches an earlier version stored decomposed (NFD), by their composed form
        self.branch_alias = {
            n: b for b in state.branches if not b.isascii() and (n := unicodedata.normalize("NFC", b)) != b
        }
        self.read = 0
        self.now = dt.datetime.now()
        # the plainly clean rows validated in DuckDB (ingest.bulk), when the commit gives a connection
        self.bulk: Batches | None = None

    def _content_id(self, cells: list[str]) -> str:
        """{hash} of an [id] template: the first 16 hex digits of the HMAC-SHA256 of the row's cells (all
        of them, as exported) under the store's key, then ".2", ".3" for the second and third identical
        row in the file. The same row gets the same id whether the export comes whole, in parts or
        again with more rows appended ({row} numbers restart in every part, so each part's rows would
        be taken for the first's). Only rows identical in every cell and split across parts meet: the
        later ones are rejected as duplicates, with the reason."""
        text = "\x1f".join(c.strip() for c in cells)
        # Keyed (the store's customer key): the other cells are shown beside the id, so a plain hash
        # would let anyone test guesses of a cell that is not stored, such as a card number.
        digest = hmac.new(self.customer_key, text.encode(), hashlib.sha256).hexdigest()[:16]
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
        if column is not None and (f.name in m.values or f.name in m.patterns):
            listed = m.values.get(f.name, {})
            if raw in listed:
                raw = listed[raw]
            elif raw:  # [patterns] in order, then "*", which maps every other non-blank value
                hit = next((v for p, v in m.patterns.get(f.name, ()) if p.search(raw)), None)
                raw = hit if hit is not None else listed.get("*", raw)
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
            if self.t.cell_problems:
                self._check_cells(line)  # before "empty row": error cells read as blanks
            if not any(c.strip() for c in cells):
                raise Reject("empty row")
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
        if len(cells) != len(header) and self.col_of.get("customer") is not None:
            # the cells do not line up with the header: the customer id may sit under any column
            return {"(the row as written)": "(withheld: the row's fields do not line up and it holds a customer id)"}
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
            if f.name in _IDENTIFIERS:
                # canonical composition: "Zoë" typed as Z o e + ◌̈ (as some Macs export it) is "Zoë"
                record[f.name] = value = unicodedata.normalize("NFC", str(record[f.name]))
                if f.name == "branch_id":
                    record[f.name] = self.branch_alias.get(value, value)  # a branch stored decomposed
                private = f.name == "customer"
                if problem := identifier_problem(value, reveal=not private):
                    raise Reject(f"{f.name} {problem}", column, CUSTOMER_WITHHELD if private else original)
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
        self.origins.append((self._line_of_current, cells))
        self.stored += 1
        self.scores.extend(scores)
        self.missing.extend(missing)
        self.importance.extend(importance)

    def _check_dates(self, record: dict[str, Any], original) -> None:
        for name, value in record.items():
            if not isinstance(value, dt.date):  # datetime is a date too
                continue
            stamp = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            if stamp > self.now + FUTURE_TOLERANCE and name not in AHEAD:
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
        for name, word in (
            ("first_response_at", "answered"),
            ("resolved_at", "closed"),
            ("resolution_target_at", "due"),
        ):
            if record[name] is not None and record[name] < opened:
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
        """No two rows of the file share a key (the store's are checked on writing: reject_stored)."""
        key = self.key_of(record)
        if key in self.seen:
            shown, key_column = self._shown_key(key)
            raise Reject(f"duplicate id {shown!r} in the file (first at line {self.seen[key]})", key_column, shown)
        self.seen[key] = self._line_of_current

    def key_of(self, record: dict[str, Any]) -> Any:
        key = tuple(record[k] for k in KEYS[self.m.target])
        return key[0] if len(key) == 1 else key

    def _shown_key(self, key: Any) -> tuple[str, str | None]:
        """The key as a rejection shows it (a customer's key never written out, not even as a
        duplicate's), and the column it comes from."""
        names = KEYS[self.m.target]
        parts = [
            "(customer)" if name == "customer_key" else str(value)
            for name, value in zip(names, key if isinstance(key, tuple) else (key,), strict=True)
        ]
        return ", ".join(parts), self.col_of.get(names[0]) or self.m.id_field

    def reject_stored(self, stored: set, earlier: dict[Any, int] | None = None) -> None:
        """The waiting rows whose keys the store already holds (`stored`, found by commit) or an earlier
        written row of the file has (`earlier`: key -> that row's line) become rejections; the
        branches and categories only they would have created are not created."""
        earlier = earlier or {}
        if not stored and not earlier:
            return
        if self.bulk is not None:
            for line, key in self.bulk.drop_keys(set(stored) | set(earlier)):
                self.rejected.append(self._repeat(key, line, self.bulk.cells[line], stored, earlier))
                self.stored -= 1
        keep, origins, gone = [], [], []
        for record, origin in zip(self.rows, self.origins, strict=True):
            key = self.key_of(record)
            if key in earlier or key in stored:
                gone.append(record)
                line, cells = origin
                self.rejected.append(self._repeat(key, line, cells, stored, earlier))
            else:
                keep.append(record)
                origins.append(origin)
        self.rows, self.origins, self.stored = keep, origins, self.stored - len(gone)
        if self.m.target == "surveys":
            ids = {r["response_id"] for r in gone}
            for name in ("scores", "missing", "importance"):
                setattr(self, name, [r for r in getattr(self, name) if r["response_id"] not in ids])
        in_bulk = {"branch_id": set(), "category": set()} if self.bulk is None else self.bulk.named()
        used = {r.get("branch_id") for r in keep} | in_bulk["branch_id"]
        for branch in {r.get("branch_id") for r in gone} - used - self.written_refs:
            self.new_branches.pop(branch, None)
        used = {r.get("category") for r in keep} | in_bulk["category"]
        for category in {r.get("category") for r in gone} - used:
            if ("category", category) not in self.written_refs:
                self.new_categories.pop(category, None)

    def _repeat(self, key: Any, line: int, cells: list[str], stored: set, earlier: dict[Any, int]) -> Rejection:
        """The rejection of a waiting row whose key the store or an earlier written row has."""
        shown, column = self._shown_key(key)
        if key in earlier:
            reason = f"duplicate id {shown!r} in the file (first at line {earlier[key]})"
        else:
            reason = f"duplicate id {shown!r}: already in the store"
        return Rejection(line, column, shown, reason, self._row_dict(cells))

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

    def run(self, progress=None, write=None) -> None:
        """Validate every row; `write(self)` is called whenever CHUNK_ROWS rows wait to be stored (it
        stores and empties them: the rows of a big file are never all held at once)."""
        if self.bulk is not None and not self.t.cell_problems:
            with _collector_paused():
                self._run_in_batches(progress, write)
            return
        every = 0
        for line, cells in self.t.rows:
            self._line_of_current = line
            self.process(line, cells)
            every += 1
            if every == CHECK_EVERY:
                every = 0
                if progress is not None:
                    progress("validating", self.read, self.t.total_rows)
                if write is not None and len(self.rows) >= CHUNK_ROWS:
                    write(self)
        if progress is not None:
            progress("validating", self.read, self.t.total_rows)

    def _run_in_batches(self, progress, write) -> None:
        """`run` with the plainly clean rows of each batch validated in DuckDB (ingest.bulk); a CSV
        file DuckDB may read (read.WholeCsv) whose rows are all clean and new, wholly in DuckDB."""
        whole = self.t.whole
        total = self.t.total_rows
        report = None if progress is None else (lambda done: progress("validating", done, total))
        if whole is not None and self.bulk.whole_file(whole, len(self.t.header), self._known(), self._latest(), report):
            self.read = self.stored = self.bulk.waiting
        else:
            rows = iter(self.t.rows)
            while batch := list(itertools.islice(rows, BATCH_ROWS)):
                self._batch(batch, progress, write)
        if progress is not None:
            progress("validating", self.read, self.t.total_rows)

    def _known(self) -> dict[str, list[str]]:
        """What a row may name and be accepted as it is: the Python rules' own sets."""
        return {
            "branches": sorted(self.state.branches | set(self.new_branches)),
            "categories": sorted(self.state.categories | set(self.new_categories)),
            "channels": sorted(self.state.channels | set(self.m.channels)),
        }

    def _latest(self) -> dt.datetime:
        return self.now + FUTURE_TOLERANCE

    def _batch(self, batch: list[tuple[int, list[str] | Unreadable]], progress, write) -> None:
        """The clean rows of the batch (by SQL) are kept when their key is new; every other row takes
        the rules here, in line order, so that a repeated key names the same first line either way.
        Progress and writes come after the same rows as in `run` (what a write rejects can change
        how a later row reads: a category only rejected rows named is no longer known)."""
        width = len(self.t.header)
        whole = [(line, cells) for line, cells in batch if not isinstance(cells, Unreadable) and len(cells) == width]
        known = self._known()
        clean = self.bulk.check(whole, known, self._latest()) if whole else {}
        kept: dict[int, list[str]] = {}
        passed: list[int] = []  # clean lines given to the rules instead (their key was seen before)
        for line, cells in batch:
            key = clean.get(line)
            if key is not None and key not in self.seen:
                self.read += 1
                self.stored += 1
                self.seen[key] = line
                kept[line] = cells
            else:
                if key is not None:
                    passed.append(line)
                self._line_of_current = line
                self.process(line, cells)
            if self.read % CHECK_EVERY:
                continue
            if progress is not None:
                progress("validating", self.read, self.t.total_rows)
            if write is not None and len(self.rows) + self.bulk.waiting + len(kept) >= CHUNK_ROWS:
                self.bulk.keep(kept, passed)
                kept, passed, named = {}, [], (len(self.new_branches), len(self.new_categories))
                write(self)
                if (len(self.new_branches), len(self.new_categories)) != named:
                    clean = {}  # the write dropped a branch or category the batch's SQL took as known
        self.bulk.keep(kept, passed)

    def written(self) -> None:
        """The waiting rows were stored: forget them."""
        self.rows, self.origins, self.scores, self.missing, self.importance = [], [], [], [], []
        self.seen = {}
        if self.bulk is not None:
            self.bulk.written()
