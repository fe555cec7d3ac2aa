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
has no [id] template, no combined columns and no customer; otherwise every row takes the Python path.
Every value travels as a bound parameter; the SQL text holds only the store's field names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import duckdb

from servicequality.ingest.convert import _FALSE, _TRUE
from servicequality.ingest.mapping import KEYS, TARGETS, Field, Mapping

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
    """The SQL that converts a batch and flags its clean rows, and its parameters (all but the
    store's lists of known branches, categories and channels, bound per batch)."""

    sql: str
    params: dict[str, Any]
    columns: list[str]  # the batch's cell columns: c0, c1 ... in the order of `sources`
    sources: list[int]  # the header index of each cell column
    fields: list[str]  # the store fields the rows get, in order


def plan(mapping: Mapping, col_of: dict[str, str], index: dict[str, int]) -> Plan | None:
    """The bulk plan of a mapping, or None when its rows must all take the Python path.

    Three layers: each field's text after [values], [constants] and [defaults] (`v_<field>`); its
    typed value; the row's cleanliness. A cell with spaces around it, or any character other than
    printable ASCII, makes the row not clean (the Python rules strip it, and a look-alike id or a
    number in other digits is theirs to reject)."""
    m = mapping
    if m.target != "tickets" or m.id_template or m.combined or m.undated:
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
    # The cells joined with U+001F, which no plain cell holds: as many plain cells as columns, and
    # not all blank (Python rejects an empty row; blank cells the mapping does not read are not
    # seen here, so such a row takes the Python rules).
    params["plain_cells"] = f"{_PLAIN_CELL}(\\x1f{_PLAIN_CELL}){{{len(columns) - 1}}}"
    params["separators"] = len(columns) - 1
    joined = f"concat_ws(chr(31), {', '.join(columns)})"
    clean.insert(0, f"regexp_full_match({joined}, $plain_cells) and length({joined}) > $separators")
    # The batch arrives as each row's cells joined with U+001F (one text column costs Arrow a fifth
    # of one column per cell): a row whose cells hold U+001F splits into more parts than it has
    # cells, and is not clean (the cells the columns then take are not its own).
    clean.insert(0, "len(parts) = $width")
    clean += [
        "(first_response_at is null or first_response_at >= opened_at)",
        "(resolved_at is null or resolved_at >= opened_at)",
        "(category is null or category in (select unnest($known_categories)))",
        "channel in (select unnest($known_channels))",
        "branch_id in (select unnest($known_branches))",
    ]
    stamps = [f.name for f in TARGETS[m.target] if f.kind in ("timestamp", "date")]
    clean += [f"({s} is null or ({s} <= $latest and year({s}) >= 1900))" for s in stamps]
    # Spliced: the store's field names (TARGETS), the cell columns c0..cN and the expressions above,
    # which hold those names, $parameters and this module's own SQL; a value from the file or the
    # mapping is never spliced, it is bound (the params).
    sql = (
        f"select line, coalesce({' and '.join(clean)}, false) as clean, {', '.join(fields)} from (\n"
        f"select *, {', '.join(f'{e} as {n}' for n, e in typed.items())} from (\n"
        f"select line, parts, {', '.join(columns + [f'{e} as v_{n}' for n, e in texts.items()])}\nfrom (\n"
        f"select line, parts, {', '.join(f'parts[{s + 1}] as {c}' for c, s in zip(columns, sources))}\n"
        "from (select line, string_split(cells, chr(31)) as parts from bulk_batch))))"
    )
    return Plan(sql, params, columns, sources, fields)


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
            return value, f"{name} in (select unnest(${name}_choices))"
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


class Batches:
    """Runs a plan on batches of an importer's rows, over one connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, the_plan: Plan):
        self.con, self.plan = con, the_plan
        self.waiting = 0  # clean rows in temp.bulk_waiting
        self.cells: dict[int, list[str]] = {}  # line -> cells of each waiting row (for a later rejection)
        self.key = KEYS["tickets"][0]

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
            # p.sql is the plan's statement (see `plan`: identifiers spliced, every value bound)
            self.con.execute(f"create or replace temp table bulk_checked as {p.sql}", params)
        finally:
            self.con.unregister("bulk_batch")
        # the key's column name comes from mapping.KEYS, a constant
        rows = self.con.execute(f"select line, {self.key} from bulk_checked where clean").fetchall()
        return dict(rows)

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
        self.con.execute(f"insert into tickets ({cols}) select {cols} from temp.bulk_waiting")
        self.con.execute(
            "insert into ticket_sources (ticket_id, run_id, source, timely_response) "
            "select ticket_id, $run, $source, timely_response from temp.bulk_waiting",
            {"run": run_id, "source": source},
        )

    def written(self) -> None:
        self.con.execute("drop table if exists temp.bulk_waiting")
        self.waiting = 0
        self.cells = {}
