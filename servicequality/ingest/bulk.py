"""Validating the plainly clean rows of a ticket export in bulk, in DuckDB (issue 15, item 1).

The rules of `ingest.validate` cost about 80 µs per row in Python (10 M tickets: 14 minutes). Most rows
of a real export are plainly clean: ASCII ids, the mapped values, a date in the mapping's first format,
numbers in range. For each batch of rows read, one SQL statement converts every field and flags the
rows whose every value is certain to come out of the Python rules exactly as SQL made it, and
accepted. Only those are stored from SQL; every other row (a blank required field, a value out of
range, a date in a later format, a new category, any cell that is not printable ASCII ...) goes
through the Python rules, which give it its value or its reason. So the outcome (stored values,
rejections and their reasons) is the Python rules' by construction, and the SQL only has to be
sound, never complete: `tests/ingest/test_import_bulk.py` imports the hostile corpus both ways and
compares every stored row and rejection.

Used for tickets read as text cells (CSV, Excel or Parquet, after `ingest.read`), when the mapping
has no [id] template, no combined columns, no customer and no [patterns] (ordered
regular expressions over free text: RE2 in Python, where the first match wins, which one SQL case over
DuckDB's own regex engine would not be certain to repeat); otherwise every row takes the Python path.
Every value travels as a bound parameter; the SQL text holds only the store's field names.

A UTF-8 CSV file without a NUL or a lone carriage return, and without a quote beside a space (read.WholeCsv)
is first tried whole (`Batches.whole_file`): DuckDB's own reader feeds the same statement, and when
every row comes out clean and new, as many as the file has data lines (no cell spans lines) and no
cell holding a quote (each quote wrapped a whole cell), the rows are stored without passing through
Python at all (a system's daily export, typically, quoted or not). Otherwise that try is dropped and
the file is read in batches as above.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import duckdb

from servicequality.ingest import keys
from servicequality.ingest.convert import _FALSE, _TRUE
from servicequality.ingest.mapping import AHEAD, KEYS, TARGETS, Field, Mapping
from servicequality.ingest.read import WholeCsv

# strptime directives whose text is certain to be read alike by Python and DuckDB when it matches
# these zero-padded patterns (each a subset of Python's own pattern for the directive); an
# impossible day (30 February) fails both: Python raises, DuckDB's try_strptime gives NULL.
_DIRECTIVES = {
    "%Y": "[0-9]{4}",
    "%m": "(0[1-9]|1[0-2])",
    "%d": "(0[1-9]|[12][0-9]|3[01])",
    "%H": "([01][0-9]|2[0-3])",
    "%M": "[0-5][0-9]",
    "%S": "[0-5][0-9]",
}
_LITERALS = set("-/.:T")
# With no [dates] formats the Python rules read ISO 8601 (datetime.fromisoformat); these forms of it
# (no fraction, no offset) DuckDB's cast reads the same.
_ISO_PLAIN = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?"
_PRINTABLE = "[ -~]*"  # printable ASCII: NFC changes nothing, no id look-alike
# One cell: blank, or printable ASCII without spaces around it (so Python's strip() changes nothing).
_PLAIN_CELL = "([!-~]([ -~]*[!-~])?)?"
_WHOLE = "[+-]?[0-9]{1,15}"  # exact in a float, as the Python rules parse it first
_DECIMAL = "[+-]?[0-9]{1,15}([.][0-9]{1,6})?"
BATCH_ROWS = 50_000


def _date_pattern(fmt: str) -> str | None:
    """The zero-padded pattern of a strptime format made only of the directives above and the
    literals - / . : T and space; None for any other format."""
    out, i = [], 0
    while i < len(fmt):
        two = fmt[i : i + 2]
        if two in _DIRECTIVES and two in fmt[:i]:
            return None  # Python's strptime cannot read a format that names a field twice
        if two in _DIRECTIVES:
            out.append(_DIRECTIVES[two])
            i += 2
        elif fmt[i] in _LITERALS or fmt[i] == " ":
            out.append(re.escape(fmt[i]) if fmt[i] != " " else " ")
            i += 1
        else:
            return None
    return "".join(out)


def _plain_text(value: Any) -> str | None:
    """A constant, default or mapped value as the cell text the Python rules would make of it,
    when that is certain (printable ASCII, nothing to strip); None otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and re.fullmatch(_PRINTABLE, value) and value == value.strip():
        return value
    return None


@dataclass
class Plan:
    """The SQL that converts rows and flags the clean ones, and its parameters (all but the store's
    lists of known branches, categories and channels, bound when it runs)."""

    converted: str  # the conversion's selects, open on their source (`sql`)
    here: str  # the conditions of a clean row that its own values decide
    known: str  # and those that the store's lists of known values decide ($known_...)
    params: dict[str, Any]
    columns: list[str]  # the cell columns: c0, c1 ... in the order of `sources`
    sources: list[int]  # the header index of each cell column
    fields: list[str]  # the store fields the rows get, in order

    def sql(self, source: str, *, known: bool = True) -> str:
        """The whole statement over `source`, a select giving line, whole (the row has the header's
        number of cells) and the cells c0..cN. Without `known`, clean says only what the row's own
        values decide, and the rows keep their order (the semi joins of the known values do not)."""
        clean = f"{self.here} and {self.known}" if known else self.here
        fields = ", ".join(self.fields)
        # spliced: the plan's own SQL and the store's field names (see `plan`); values are bound
        return f"select line, coalesce({clean}, false) as clean, {fields} from (\n{self.converted}{source})))"

    def batch_source(self) -> str:
        """Rows of `bulk_batch` (line, cells joined with U+001F; $width = the header's cells): a row
        whose cells hold U+001F splits into more parts than it has cells, and is not clean (the cells
        the columns then take are not its own). One text column costs Arrow a fifth of one per cell."""
        cells = ", ".join(f"parts[{s + 1}] as {c}" for c, s in zip(self.columns, self.sources))
        # spliced: the cell columns' numbers and our names c0..cN; the width is bound
        return (
            f"select line, len(parts) = $width as whole, {cells} "
            "from (select line, string_split(cells, chr(31)) as parts from bulk_batch)"
        )

    def file_read(self, width: int) -> str:
        """DuckDB's reader over the CSV file $path (after $skip lines; $delim), every cell as text
        (h0..hN, one more than the header's `width`): strict, so a row of two cells too many, or a
        quote closed before the cell ends, fails the read. Quotes as RFC 4180 has them, as Python's
        reader reads them too (see cells_source).

        The column past the header's is there because a strict read drops empty cells past the last
        column ("T1,x," read as 2 cells), which Python's reader keeps (3 cells: rejected). With it, and
        an empty cell read as '' (NULL stands for none: $no_cell, a newline, which no cell read equals),
        a row's width shows: NULL in the header's last column, too few cells; '' or more in the one past
        it, too many."""
        columns = ", ".join(f"'h{i}': 'VARCHAR'" for i in range(width + 1))  # h0..hN: our own names
        return (
            f"read_csv($path, header = false, skip = $skip, delim = $delim, quote = '\"', escape = '\"', "
            f"columns = {{{columns}}}, auto_detect = false, strict_mode = true, null_padding = true, "
            "nullstr = $no_cell, allow_quoted_nulls = false)"
        )

    def cells_source(self, relation: str, width: int, quoted: bool) -> str:
        """Rows of `relation` (the reader, or a table of what it read) as the plan's source, whole when
        they have the header's `width` cells (an empty one read as '', a missing one NULL: file_read).
        The line is not known here (0): the rows keep the file's order instead, which a scan and a
        projection keep (DuckDB's preserve_insertion_order).

        From a `quoted` file (read.WholeCsv) a row is whole only when none of its `width` cells holds
        a quote: then every quote of its line wrapped a whole cell, at the start of the line or after
        a delimiter (no quote is beside a space there), which Python's reader unwraps alike. A cell
        holding one (a doubled quote, a quote inside an unquoted cell) sends the file to the batches,
        where Python's reader reads it."""
        cells = ", ".join(f"h{s} as {c}" for c, s in zip(self.columns, self.sources))
        whole = [f"h{width - 1} is not null", f"h{width} is null"]  # the header's width (file_read)
        whole += [f"not contains(h{i}, '\"')" for i in range(width)] if quoted else []
        # spliced: our names h0..hN and c0..cN, and `relation`, the reader above or our own table
        return f"select 0 as line, coalesce({' and '.join(whole)}, false) as whole, {cells} from {relation}"


def plan(mapping: Mapping, col_of: dict[str, str], index: dict[str, int]) -> Plan | None:
    """The bulk plan of a mapping, or None when its rows must all take the Python path.

    Three layers: each field's text after [values], [constants] and [defaults] (`v_<field>`); its
    typed value; the row's cleanliness. A cell with spaces around it, or any character other than
    printable ASCII, makes the row not clean (the Python rules strip it, and a look-alike id or a
    number in other digits is theirs to reject)."""
    m = mapping
    if m.target != "tickets" or m.id_template or m.combined or m.undated or m.patterns:
        return None
    if "customer" in col_of or "customer" in m.constants or "customer" in m.defaults:
        return None
    params: dict[str, Any] = {}
    sources: list[int] = []
    texts: dict[str, str] = {}
    typed: dict[str, str] = {}
    clean: list[str] = []
    for f in TARGETS[m.target]:
        if f.name == "customer":
            continue
        text = _text(f, m, col_of, index, params, sources)
        converted = None if text is None else _typed(f, f"v_{f.name}", m.date_formats, params)
        if converted is None:
            return None
        texts[f.name], (typed[f.name], check) = text, converted
        if f.required:
            clean.append(f"{f.name} is not null")
        if check:
            clean.append(f"({f.name} is null or {check})")
        if f.kind != "text":  # a value that does not convert is NULL: so must be a blank one
            clean.append(f"(v_{f.name} is null) = ({f.name} is null)")
    fields = list(typed)
    columns = [f"c{i}" for i in range(len(sources))]
    if not columns or len(columns) > 1000:  # RE2 repeats a group at most 1,000 times
        return None
    # The mapped cells joined with U+001F, which no plain cell holds: as many plain cells as columns,
    # and not all blank (Python rejects an empty row; blank cells the mapping does not read are not
    # seen here, so such a row takes the Python rules).
    params["plain_cells"] = f"{_PLAIN_CELL}(\\x1f{_PLAIN_CELL}){{{len(columns) - 1}}}"
    params["separators"] = len(columns) - 1
    joined = f"concat_ws(chr(31), {', '.join(columns)})"
    clean.insert(0, f"regexp_full_match({joined}, $plain_cells) and length({joined}) > $separators")
    clean.insert(0, "whole")  # the row has the header's number of cells (the source says)
    clean += [
        f"({name} is null or {name} >= opened_at)"
        for name in ("first_response_at", "resolved_at", "resolution_target_at")
    ]
    stamps = [f.name for f in TARGETS[m.target] if f.kind in ("timestamp", "date")]
    clean += [f"({s} is null or ({'' if s in AHEAD else f'{s} <= $latest and '}year({s}) >= 1900))" for s in stamps]
    # What the store knows, by semi joins (a list lookup is linear in the list: 5,000 branches cost
    # 35 s for 10 M rows, the join 1 s).
    known = [
        "(category is null or category in (select unnest($known_categories)))",
        "channel in (select unnest($known_channels))",
        "branch_id in (select unnest($known_branches))",
    ]
    # Spliced: the store's field names (TARGETS), the cell columns c0..cN and the expressions above,
    # which hold those names, $parameters and this module's own SQL; a value from the file or the
    # mapping is never spliced, it is bound (the params). The source (`Plan.sql`) gives each row's
    # line, whether it is whole, and its cells c0..cN.
    converted = (
        f"select *, {', '.join(f'{e} as {n}' for n, e in typed.items())} from (\n"
        f"select line, whole, {', '.join(columns + [f'{e} as v_{n}' for n, e in texts.items()])}\nfrom (\n"
    )
    return Plan(converted, " and ".join(clean), " and ".join(known), params, columns, sources, fields)


def _text(
    f: Field, m: Mapping, col_of: dict[str, str], index: dict[str, int], params: dict[str, Any], sources: list[int]
) -> str | None:
    """The SQL of one field's text from its cell (or constant), as the Python rules' `_value` makes
    it; None when the mapping does something to this field that the SQL does not follow."""
    name = f.name
    column = col_of.get(name)
    if column is not None:
        raw = f"c{len(sources)}"  # plain cells have no spaces around them: nothing to strip
        sources.append(index[column.strip()])
        if name in m.values:
            listed = m.values[name]
            pairs = [(k, _plain_text(v)) for k, v in listed.items() if k != "*"]
            if any(v is None for _, v in pairs):
                return None
            fallback = raw
            if "*" in listed:
                if (star := _plain_text(listed["*"])) is None:
                    return None
                params[f"{name}_star"] = star
                fallback = f"case when {raw} <> '' then ${name}_star else {raw} end"
            if pairs:
                params[f"{name}_from"], params[f"{name}_to"] = [k for k, _ in pairs], [v for _, v in pairs]
                raw = f"coalesce(${name}_to[list_position(${name}_from, {raw})], {fallback})"
            else:
                raw = fallback
    elif name in m.constants:
        if (text := _plain_text(m.constants[name])) is None:
            return None
        params[f"{name}_const"] = text
        raw = f"${name}_const::varchar"
    else:
        raw = "null::varchar"
    if name in m.defaults:
        if (text := _plain_text(m.defaults[name])) is None:
            return None
        params[f"{name}_default"] = text
        raw = f"case when {raw} is null or {raw} = '' then ${name}_default else {raw} end"
    return f"nullif({raw}, '')"


def _typed(f: Field, value: str, formats: tuple[str, ...], params: dict[str, Any]) -> tuple[str, str] | None:
    """(the typed value's SQL, the condition a converted value must meet) for a field's kind."""
    name = f.name
    if f.kind == "text":
        if f.choices:
            params[f"{name}_choices"] = list(f.choices)
            # a short list: list_contains keeps the rows' order, a semi join does not
            return value, f"list_contains(${name}_choices, {name})"
        return value, ""
    if f.kind in ("int", "float"):
        pattern, cast = (_WHOLE, "bigint") if f.kind == "int" else (_DECIMAL, "double")
        expr = f"case when regexp_full_match({value}, '{pattern}') then cast({value} as {cast}) end"
        bounds = []
        if f.low is not None:
            params[f"{name}_low"] = float(f.low)
            bounds.append(f"{name} >= ${name}_low")
        if f.high is not None:
            params[f"{name}_high"] = float(f.high)
            bounds.append(f"{name} <= ${name}_high")
        return expr, " and ".join(bounds)
    if f.kind == "bool":
        params["yes_words"], params["no_words"] = sorted(_TRUE), sorted(_FALSE)
        expr = (
            f"case when list_contains($yes_words, lower({value})) then true "
            f"when list_contains($no_words, lower({value})) then false end"
        )
        return expr, ""
    if f.kind in ("timestamp", "date"):
        if formats:
            pattern = _date_pattern(formats[0])
            if pattern is None:
                return None
            params[f"{name}_pattern"], params[f"{name}_format"] = pattern, formats[0]
            parsed = f"try_strptime({value}, ${name}_format)"
            expr = f"case when regexp_full_match({value}, ${name}_pattern) then {parsed} end"
        else:
            params[f"{name}_pattern"] = _ISO_PLAIN
            expr = f"case when regexp_full_match({value}, ${name}_pattern) then try_cast({value} as timestamp) end"
        if f.kind == "date":
            expr = f"cast({expr} as date)"
        return expr, ""
    return None


def _keep_order(con: duckdb.DuckDBPyConnection) -> None:
    """Rows that keep the file's order through the statement: DuckDB's `in_clause` optimizer turns
    a lookup in a list of constants (list_contains of yes/no words, of a field's choices) into a
    join, which swaps blocks of rows (1 M rows: 905,194 out of place). Off, the lists are scanned
    as lists (a handful of words each). Order is not needed for the stored values, only for how
    well DuckDB skips row groups by date: a DuckDB without this optimizer's name reads as well."""
    try:
        con.execute("set disabled_optimizers = 'in_clause'")
    except duckdb.Error:
        pass


def _execute_reporting(con: duckdb.DuckDBPyConnection, sql: str, params: dict, report) -> None:
    """Run one statement; `report(percent)` every half second from this thread with DuckDB's own
    measure of how far it is (`query_progress`, while the statement runs in a worker thread)."""
    if report is None:
        con.execute(sql, params)
        return
    from concurrent.futures import ThreadPoolExecutor, TimeoutError

    con.execute("set enable_progress_bar = true")  # query_progress needs it; nothing is printed
    con.execute("set enable_progress_bar_print = false")
    try:
        with ThreadPoolExecutor(1) as worker:
            running = worker.submit(con.execute, sql, params)
            while True:
                try:
                    running.result(timeout=0.5)
                    return
                except TimeoutError:
                    if (percent := con.query_progress()) >= 0:
                        report(percent)
    finally:
        con.execute("set enable_progress_bar = false")


class Batches:
    """Runs a plan on batches of an importer's rows, over one connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, the_plan: Plan):
        self.con, self.plan = con, the_plan
        self.waiting = 0  # clean rows in temp.bulk_waiting
        self.cells: dict[int, list[str]] = {}  # line -> cells of each waiting row (for a later rejection)
        self.key = KEYS["tickets"][0]
        self.whole = False  # the waiting rows are the whole file's, their keys checked new (`whole_file`)

    def check(self, batch: list[tuple[int, list[str]]], known: dict[str, list[str]], latest: dt.datetime):
        """The batch's rows converted in SQL: {line: key} of the clean ones (kept in a temporary
        table until `keep` or `drop`)."""
        import pyarrow as pa

        p = self.plan
        lines = pa.array([line for line, _ in batch], pa.int64())
        joined = pa.array(["\x1f".join(cells) for _, cells in batch], pa.string())
        self.con.register("bulk_batch", pa.table({"line": lines, "cells": joined}))
        try:
            params = {**p.params, "latest": latest, "width": len(batch[0][1])}
            params.update({f"known_{k}": v for k, v in known.items()})
            # the plan's statement (see `plan`: identifiers spliced, every value bound)
            self.con.execute(f"create or replace temp table bulk_checked as {p.sql(p.batch_source())}", params)
        finally:
            self.con.unregister("bulk_batch")
        # the key's column name comes from mapping.KEYS, a constant
        rows = self.con.execute(f"select line, {self.key} from bulk_checked where clean").fetchall()
        return dict(rows)

    def whole_file(
        self, source: WholeCsv, width: int, known: dict[str, list[str]], latest: dt.datetime, progress=None
    ) -> bool:
        """Every row of a CSV file DuckDB may read (read.WholeCsv) converted in one statement over DuckDB's own
        reader (1 M rows: the whole import 20 -> 11 s), when that is the whole import: as many rows as
        the file has data lines, every one clean, every key new to the file and to the store. Then the
        rows wait in temp.bulk_waiting, in the file's order, and True; otherwise nothing is kept and
        the rows take the batches.

        The outcome is the batches' by construction: there too a clean row with a new key is stored
        from SQL, and with every row clean, none rejected and none creating a branch or a category,
        the lists of known values do not change from the first batch to the last. The known values
        are checked after the statement, which then keeps the file's order (see `Plan.sql`).
        `progress(rows)`, when given, hears how far DuckDB's reader is, every half second."""
        p = self.plan
        read = p.file_read(width)
        reading = {"path": str(source.path), "skip": source.skip, "delim": source.delimiter, "no_cell": "\n"}
        checking = {**p.params, "latest": latest}
        # the plan's statement and the reader (see `plan`: identifiers spliced, every value bound)
        try:
            _keep_order(self.con)
            if progress is None:
                cells = p.cells_source(read, width, source.quoted)
                sql = f"create temp table bulk_waiting as {p.sql(cells, known=False)}"
                self.con.execute(sql, checking | reading)
            else:  # DuckDB cannot say how far the one statement is: the reading first, which it can
                sql = f"create temp table bulk_file as select * from {read}"
                _execute_reporting(self.con, sql, reading, lambda pct: progress(int(source.rows * pct / 100)))
                cells = p.cells_source("temp.bulk_file", width, source.quoted)
                sql = f"create temp table bulk_waiting as {p.sql(cells, known=False)}"
                self.con.execute(sql, checking)
                self.con.execute("drop table temp.bulk_file")
        except duckdb.Error:  # a row of another width, a line too long, a blank line: the batches say which
            self.written()
            return False
        finally:
            self.con.execute("reset disabled_optimizers")
        # the key's column name comes from mapping.KEYS, a constant; p.known is the plan's SQL
        ((rows, unclean, distinct),) = self.con.execute(
            f"select count(*), count(*) filter (where not (clean and coalesce({p.known}, false))), "
            f"count(distinct {self.key}) from temp.bulk_waiting",
            {f"known_{k}": v for k, v in known.items()},
        ).fetchall()
        if rows == 0 or rows != source.rows or unclean or distinct != rows or self._any_stored():
            self.written()
            return False
        self.waiting, self.whole = rows, True
        return True

    def _any_stored(self) -> bool:
        """A waiting row's key is a stored ticket's, or its composed (NFC) form (keys.stored)."""
        # the names are constants: our table, the store's, mapping.KEYS
        ((found,),) = self.con.execute(
            f"select exists ({keys.stored('temp.bulk_waiting', 'tickets', (self.key,))})"
        ).fetchall()
        return found

    def keep(self, kept: dict[int, list[str]], passed: list[int]) -> None:
        """Move the clean rows of `kept` ({line: cells}, in line order) to the rows waiting to be
        written: the clean rows from its first line to its last but those `passed` to the rules (their
        key was seen before), chosen by range in SQL (a semi join with a table of the lines cost 7 s
        a million rows)."""
        if not kept:
            return
        first, last = next(iter(kept)), next(reversed(kept))
        skipped = [line for line in passed if first < line < last]
        cols = ", ".join(self.plan.fields)
        self.con.execute(
            f"create temp table if not exists bulk_waiting as select line, {cols} from bulk_checked limit 0"
        )
        ((moved,),) = self.con.execute(
            f"insert into temp.bulk_waiting select line, {cols} from bulk_checked "
            "where clean and line between $first and $last and not list_contains($skipped, line)",
            {"first": first, "last": last, "skipped": skipped},
        ).fetchall()
        if moved != len(kept):  # the range holds exactly the kept rows: anything else is a bug here
            raise RuntimeError(f"bulk validation kept {moved} rows of lines {first}-{last}, expected {len(kept)}")
        self.waiting += moved
        self.cells.update(kept)

    def drop_keys(self, keys: set) -> list[tuple[int, Any]]:
        """Remove the waiting rows with these keys (duplicates found on writing): their (line, key)."""
        import pyarrow as pa

        if not keys or not self.waiting:
            return []
        self.con.register("bulk_gone", pa.table({"k": pa.array(sorted(keys), pa.string())}))
        try:
            gone = self.con.execute(
                f"select line, {self.key} from temp.bulk_waiting semi join bulk_gone on k = {self.key} order by line"
            ).fetchall()
            self.con.execute(f"delete from temp.bulk_waiting where {self.key} in (select k from bulk_gone)")
        finally:
            self.con.unregister("bulk_gone")
        self.waiting -= len(gone)
        return gone

    def named(self) -> dict[str, set]:
        """The branches and categories the waiting rows name (so that those created for them stay)."""
        if not self.waiting:
            return {"branch_id": set(), "category": set()}
        return {
            name: {r[0] for r in self.con.execute(f"select distinct {name} from temp.bulk_waiting").fetchall()}
            for name in ("branch_id", "category")  # the store's field names
        }

    def write(self, fields: list[str], run_id: int, source: str) -> None:
        """Store the waiting rows (after commit has rejected those whose keys were stored before)."""
        cols = ", ".join(fields)  # the store's field names (mapping.TARGETS), never the file's
        # In the file's order: the store keeps the export's (mostly by date: DuckDB skips the row
        # groups outside a period), and the semi joins of the known values in `check` do not.
        order = "" if self.whole else " order by line"  # the whole file's rows are in its order
        self.con.execute(f"insert into tickets ({cols}) select {cols} from temp.bulk_waiting{order}")
        self.con.execute(
            "insert into ticket_sources (ticket_id, run_id, source, timely_response) "
            f"select ticket_id, $run, $source, timely_response from temp.bulk_waiting{order}",
            {"run": run_id, "source": source},
        )

    def written(self) -> None:
        self.con.execute("drop table if exists temp.bulk_waiting")
        self.con.execute("drop table if exists temp.bulk_file")
        self.waiting, self.whole = 0, False
        self.cells = {}
