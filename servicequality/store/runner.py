"""Named queries: one `.sql` file in `queries/` per result, run with bound parameters."""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.eliminate_ctes import eliminate_ctes

from servicequality import catalog

if TYPE_CHECKING:
    import pandas as pd
from servicequality.store import facts, generate, periods, rollups
from servicequality.store.connection import PROJECT_ROOT, cursor

QUERIES_DIR = PROJECT_ROOT / "queries"


# --- named queries -------------------------------------------------------------------------

_PARAM = re.compile(r"(?<![:$\w])\$([A-Za-z_]\w*)")
# "-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when $channels, $segments": with any
# of those selections set, the query reads the finer source (whose grain has their columns) in
# place of the coarser one: every `from`/`join` of the first name reads the second. The second may
# be a table or a CTE the query (or a fragment it includes) defines; a CTE nobody reads never runs.
# A source is thus picked by the grain the filter needs; the names come from the query file's own
# header or a fragment it includes, never from input. "when one $components": only when that
# selection holds exactly one value (a fragment's shortcut for a single component).
ROLLUP_CHOICE = re.compile(r"^-- Rollup choice: (\w+) -> (\w+) when (one )?(.+)$")


class Choice(NamedTuple):
    """A rollup choice: `fine` is read in place of `coarse` when one of the selections `when` is
    set (`single`: set to exactly one value). Applied in the order the query text gives them."""

    coarse: str
    fine: str
    when: frozenset[str]
    single: bool = False

    def applies(self, params: Mapping[str, Any]) -> bool:
        values = [params.get(p) for p in self.when]
        return any(v is not None and (not self.single or len(v) == 1) for v in values)


# "-- Include: handling_percentiles (measures 1, 2)": the CTEs of queries/fragments/<name>.sql, with
# {measures} replaced by the constants given (numbers or column names), and a comma to go on with
# the next CTE (none when the query's final select follows, or the fragment is that select);
# "-- Include: respondent_gaps" includes a fragment that takes no constants.
# One text for a step several queries need; the name and constants come from the query file:
# "-- Include: name (key1 text; key2 text)" puts each text where the fragment says {key1}, {key2}.
# "-- Oracle: rollup_response_performance -> response_component_performance": the rollup holds the
# columns the query reads as the base view holds them (it is the view materialised, or a day table whose
# date the view also has), so its plain form is its own text on the view: one definition, two forms.
ORACLE = re.compile(r"^-- Oracle: (rollup_\w+) -> (\w+)$", re.MULTILINE)
# "-- Oracle: the rollups' models": a hand-written query whose plain form is its own text with every
# rollup it reads computed from its model (store/models/; _with_models). Its independent check is a
# reference in its tests (scipy, pandas), since the two forms share its steps.
ORACLE_MODELS = re.compile(r"^-- Oracle: the rollups' models$", re.MULTILINE)
FRAGMENTS_DIR = QUERIES_DIR / "fragments"
INCLUDE = re.compile(r"^-- Include: (\w+)(?: \(((?:\w+ [\w, ().$]+)(?:; \w+ [\w, ().$]+)*)\))?$", re.MULTILINE)


# "-- Selected on h: regions, branches; on b: channels": the sidebar selections' filter clauses, one
# `and (...)` line each on the alias's catalogue column (facts.selected, the one clause), at the
# directive's indentation. Names come from the query file and the catalogue, never from input.
SELECTED = re.compile(r"^([ \t]*)-- Selected (on \w+: [\w, ]+(?:; on \w+: [\w, ]+)*)$", re.MULTILINE)


def _expand_selected(sql: str) -> str:
    def clauses(m: re.Match) -> str:
        lines = []
        for group in m.group(2).split(";"):
            alias, _, names = group.strip().removeprefix("on ").partition(":")
            for name in (n.strip() for n in names.split(",") if n.strip()):
                if name not in catalog.BY_SELECTION:
                    raise KeyError(f"-- Selected: no selection named {name!r} ({sorted(catalog.BY_SELECTION)})")
                column = catalog.BY_SELECTION[name].column
                lines.append(f"{m.group(1)}and {facts.selected(name, f'{alias}.{column}')}")
        return "\n".join(lines)

    return SELECTED.sub(clauses, sql)


# "-- Order by $sort on r: response_id, branch = branch_name | nps, mean_gap | submitted_at; then
# response_id": a page's order by a bound sort key from a fixed list, matched by `case` (never SQL
# text), ascending or descending by the bound $descending. Keys of one type go in one group (text |
# numbers | times: a `case` returns one type); `key = column` when the column is named otherwise,
# `key = (expression)` for an expression written out; `then` names the column that breaks ties.
ORDER = re.compile(r"^([ \t]*)-- Order by \$sort on (\w+): (.+); then (\w+)$", re.MULTILINE)


def _order_keys(m: re.Match) -> list[list[tuple[str, str]]]:
    """An `-- Order by` line's keys, in its groups: (key, the value sorted on) each."""
    groups = []
    for group in m.group(3).split("|"):
        keys = []
        for item in (i.strip() for i in group.split(",") if i.strip()):
            key, _, column = (part.strip() for part in item.partition("="))
            keys.append((key, column[1:-1] if column.startswith("(") else f"{m.group(2)}.{column or key}"))
        groups.append(keys)
    return groups


def _expand_order(sql: str, sort: str | None = None, descending: bool | None = None) -> str:
    """Each `-- Order by` line as its `order by`: the cases of every key (the key picked by the
    bound $sort and $descending), or, given the `sort` key (one the line lists) and `descending`,
    that key's value alone (Query._form: what runs once the page's sort is known)."""

    def order(m: re.Match) -> str:
        pad, alias, groups = m.group(1), m.group(2), _order_keys(m)
        values = dict(k for keys in groups for k in keys)
        if sort in values and descending is not None:
            direction = "desc" if descending else "asc"
            return f"{pad}order by\n{pad}    {values[sort]} {direction} nulls last,\n{pad}    {alias}.{m.group(4)}"
        lines = [f"{pad}order by"]
        for keys in groups:
            whens = [f"{pad}        when '{key}' then {value}" for key, value in keys]
            cases = "\n".join(whens) + f"\n{pad}    end end"
            lines.append(f"{pad}    case when $descending then null else case $sort\n{cases} asc nulls last,")
            lines.append(f"{pad}    case when $descending then case $sort\n{cases} desc nulls last,")
        lines.append(f"{pad}    {alias}.{m.group(4)}")
        return "\n".join(lines)

    return ORDER.sub(order, sql)


def _expand_includes(sql: str) -> str:
    def fragment(m: re.Match) -> str:
        text = (FRAGMENTS_DIR / f"{m.group(1)}.sql").read_text()
        for constant in m.group(2).split("; ") if m.group(2) else ():
            key, _, value = constant.partition(" ")
            text = text.replace("{" + key + "}", value)
        # a comma to go on with the next CTE (written, generated or included); none before the
        # query's final select, nor after a fragment that is the final select
        rest = sql[m.end() :].lstrip().splitlines()
        head = list(itertools.takewhile(lambda line: not line.split("--", 1)[0].strip(), rest))
        cte_follows = any(line.startswith(("-- Measures:", "-- Include:")) for line in head)
        code = _code("\n".join(rest)).strip()
        last = not cte_follows and (not code or re.match(r"select\b", code))
        # a fragment ending in an include: that one's expansion puts the comma
        nested = text.rstrip().splitlines()[-1].startswith("-- Include:")
        return text.rstrip() + ("" if last or nested else ",")

    # a fragment may include another (a month twin of its day CTE: fragments/days_by_month.sql), to
    # a bounded depth: fragments that include each other in a circle would expand for ever
    circle: set[str] = set()
    for _ in range(MAX_INCLUDE_DEPTH):
        if not INCLUDE.search(sql):
            return sql
        circle.update(m.group(1) for m in INCLUDE.finditer(sql))
        sql = INCLUDE.sub(fragment, sql)
    raise ValueError(f"fragments include each other in a circle, or deeper than {MAX_INCLUDE_DEPTH}: {sorted(circle)}")


MAX_INCLUDE_DEPTH = 8


@dataclass(frozen=True)
class Query:
    """One `.sql` file in `queries/`: its text, the parameters it binds and its header."""

    name: str
    sql: str
    parameters: frozenset[str]
    header: str
    # from "-- Rollup choice:" lines (the header's, the included fragments') and generated CTEs
    choices: tuple[Choice, ...] = ()
    # the generated sources (store/generate.py, Request.ladder): left out of the text when unread
    rungs: frozenset[str] = frozenset()
    # its "-- Order by $sort" lines (after the includes), each written out once the sort is known
    orders: tuple[str, ...] = ()

    def sql_for(self, params: Mapping[str, Any]) -> str:
        """The SQL that runs with these parameters: each coarse rollup replaced by its finer one
        when a selection only the finer one can filter is set, and each test of whether a
        parameter is null answered (`_fold_nulls`)."""
        return self._form(*self._pattern(params))[0]

    def bound(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters `sql_for(params)` binds, from `params` (KeyError naming any missing)."""
        missing = self.parameters - params.keys()
        if missing:
            raise KeyError(f"Query {self.name!r} needs parameters {sorted(missing)}")
        names = self._form(*self._pattern(params))[1]
        return {k: params[k] for k in names}

    def statement(self, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The SQL that runs with these parameters and the parameters it binds (KeyError naming any
        missing). Both from `params`: the text of the bound parameters alone would leave the null
        tests of those it no longer names unanswered."""
        return self.sql_for(params), self.bound(params)

    def _pattern(
        self, params: Mapping[str, Any]
    ) -> tuple[tuple[bool, ...], frozenset[str], frozenset[str], tuple[str, str], tuple[str, bool] | None, bool]:
        """What the text depends on besides the files: which choices apply, which of the parameters
        given are null and which are not, how the period's first and last months are read, the sort asked for
        if the query lists it, and whether an Explore dimension is the weekday (never the values
        themselves: a sort key and a dimension come from the query's and the catalogue's lists)."""
        applied = tuple(choice.applies(params) for choice in self.choices)
        given = frozenset(self.parameters & params.keys())
        nulls = frozenset(k for k in given if params[k] is None)
        cut = periods.cut_months(params.get("start"), params.get("end"))
        weekday = "weekday" in (params.get("dim1"), params.get("dim2"))
        return applied, nulls, given - nulls, cut, self._sort(params), weekday

    def _sort(self, params: Mapping[str, Any]) -> tuple[str, bool] | None:
        """The sort a page asked for ($sort, $descending), when it is one the query's `-- Order by`
        lines list: the text then sorts on that key alone (_expand_order). Any other value keeps
        the cases, which answer it as they always did (no key: the tie-breaker's order)."""
        sort, descending = params.get("sort"), params.get("descending")
        if not self.orders or not isinstance(descending, bool):
            return None
        keys = {key for line in self.orders for group in _order_keys(ORDER.match(line)) for key, _ in group}
        return (sort, descending) if sort in keys else None

    # a page's reads come in a few patterns of selections each: every query's forms stay built
    @functools.lru_cache(maxsize=2048)  # noqa: B019 - queries are built once per state of the files
    def _form(
        self,
        applied: tuple[bool, ...],
        nulls: frozenset[str],
        values: frozenset[str],
        cut: tuple[str, str],
        sort: tuple[str, bool] | None,
        weekday: bool,
    ) -> tuple[str, frozenset[str]]:
        """The text with the choices that apply, Explore's cells read from the day tables alone when
        a dimension is the `weekday` and else from the month twins and cut days
        (generate.for_weekday), the period's first and last months read as `cut` says (whole,
        their days added, or their month rows less their outside days: periods.for_period; no
        cut day read when the period is whole months), the generated sources nobody then
        reads left out (DuckDB binds and plans every CTE of the text, read or not: a channel and a
        segment rung made an unfiltered read 5-10 % slower), and the null tests of the parameters
        in `nulls` (bound null) and `values` (bound to a value) answered, and given the page's
        `sort` (key, descending), each `order by` on that key alone and each test of $sort
        answered; with them the parameters the text still binds.

        Sorting on the key alone, not on the six cases of every key, took a page of a year's
        survey responses at 10 M tickets from 88 to 57 ms (drill_responses, 2026-12-06): DuckDB
        keeps the top rows by one value, and the branch for another sort (mean_gap's) is left out
        at planning. The text is the query file's own: the key's expression, never the value."""
        sql = self.sql
        for choice, on in zip(self.choices, applied, strict=True):
            if on:
                sql = re.sub(rf"\b(from|join)(\s+){choice.coarse}\b", rf"\1\2{choice.fine}", sql)
        if "$dim1" in sql:
            sql = generate.for_weekday(sql, weekday)
        sql = periods.for_period(sql, *cut)
        if sort is not None:
            for line in self.orders:
                sql = sql.replace(_expand_order(line), _expand_order(line, *sort))
            sql = _SORT_TEST.sub(lambda m: "true" if (m.group(1) == "=") == (m.group(2) == sort[0]) else "false", sql)
        for name in self.rungs:
            if not re.search(rf"\b(from|join)\s+{name}\b", sql):
                # a generated source: "<name> as (\n        ...\n    ),\n    " (its inner lines deeper)
                shorter = re.sub(rf"\b{name} as \(\n.*?\n    \),\n    ", "", sql, count=1, flags=re.DOTALL)
                if not re.search(rf"\b{name}\b", shorter):
                    sql = shorter
        sql = _without_unread(sql)
        sql = periods.without_dead_branches(_fold_nulls(sql, nulls, values))
        return sql, frozenset(_PARAM.findall(_code(sql)))


# The next CTE of a `with` list: its name and opening parenthesis.
_CTE_HEAD = re.compile(r"\s*(\w+) as (?:materialized )?\(")


def _top_ctes(code: str) -> Iterator[tuple[str, int, int]]:
    """The CTEs of the text's own `with` (comments blanked): name, start, and the end of its text
    with the comma and blank line after it; the last one, which no comma follows, is not given."""
    head = re.match(r"\s*with\b", code)
    at = head.end() if head else len(code)
    while m := _CTE_HEAD.match(code, at):
        closing = _closing(code, m.end() - 1)
        after = re.match(r"\s*,[ \t]*\n?(?:[ \t]*\n)?", code[closing + 1 :])
        if after is None:
            return
        yield m.group(1), m.start(1), closing + 1 + after.end()
        at = closing + 1 + after.end()


def _without_unread(sql: str) -> str:
    """The text without the CTEs of its `with` that nothing reads (once a rollup choice swapped
    their reader to another source, or left out the CTE reading them): DuckDB binds and plans each
    one all the same. With one component selected, servqual_rater_gaps kept three unread CTEs of
    its fragment (2-4 ms of a read, 2026-12-06)."""
    while True:
        code = _blank_comments(sql)
        for name, start, end in _top_ctes(code):
            if not re.search(rf"\b{name}\b", code[:start] + code[end:]):
                sql = sql[:start] + sql[end:]
                break
        else:
            return sql


# "$sort = 'mean_gap'", "$sort <> 'mean_gap'": a branch of a query for one sort key
_SORT_TEST = re.compile(r"\$sort (=|<>) '(\w+)'")


# "$x is null", "$x is not null": a sidebar selection's clause is "($x is null or ...)", true for
# every row when nothing is selected.
_NULL_TEST = re.compile(r"\$([A-Za-z_]\w*) is (not )?null\b")


def _fold_nulls(sql: str, nulls: frozenset[str], values: frozenset[str]) -> str:
    """The text with each test of whether a bound parameter is null replaced by its answer (`true`
    or `false`; the names in `nulls` are bound null, those in `values` are not), each `(true or
    ...)` that then follows by `true`, and each line that is then `and true` left out.

    The text depends on which parameters are null, never on their values, which stay bound. DuckDB
    binds, folds and plans every clause it is given: the clause of a selection nobody made,
    `($segments is null or list_contains($segments, r.segment))`, cost binding and folding in each
    source of each read (component_item_variances read ten sources with five such clauses each):
    answered here, a page's reads over the rollups took 2-20 % less (2026-12-05; BENCHMARKS.md)."""

    def answer(m: re.Match) -> str:
        name, negated = m.group(1), bool(m.group(2))
        if name in nulls:
            return "false" if negated else "true"
        if name in values:
            return "true" if negated else "false"
        return m.group(0)

    # the code only: comments (the header says what a clause does) are blanked out to find them
    code = _blank_comments(sql)
    sql = "".join(_spans(sql, ((m.start(), m.end(), answer(m)) for m in _NULL_TEST.finditer(code))))
    code = _blank_comments(sql)
    dropped, at = [], 0
    while (start := code.find("(true or ", at)) >= 0:
        at = _closing(code, start) + 1
        dropped.append((start, at, "true"))
    sql = "".join(_spans(sql, dropped)).replace("(false or ", "(")
    return re.sub(r"\n[ \t]*and true(?=\n)", "", sql)


def _blank_comments(sql: str) -> str:
    """The text with each comment's characters turned to spaces (same length: same positions)."""
    return re.sub(r"--[^\n]*", lambda m: " " * len(m.group()), sql)


def _spans(text: str, replaced) -> Iterator[str]:
    """`text` in pieces, each (start, end, new text) of `replaced` (in order) put in its place."""
    at = 0
    for start, end, new in replaced:
        yield text[at:start]
        yield new
        at = end
    yield text[at:]


def _closing(sql: str, opening: int) -> int:
    """The index of the parenthesis that closes the one at `opening` (quoted text skipped)."""
    depth, at = 0, opening
    while at < len(sql):
        char = sql[at]
        if char == "'":
            at = sql.index("'", at + 1)  # a quote doubled inside text: two quoted runs, same depth
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    raise ValueError(f"unbalanced parenthesis at {opening} in:\n{sql}")


def _code(text: str) -> str:
    """The SQL without its comments (header lines, `-- Measures:` lines included)."""
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


@functools.lru_cache(maxsize=256)
def tables_read(sql: str) -> frozenset[str]:
    """The tables and views a query reads (sqlglot: the CTEs nobody reads left out, since they
    never run; CTE names themselves are not tables)."""
    tree = eliminate_ctes(sqlglot.parse_one(sql, read="duckdb"))
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    return frozenset({t.name for t in tree.find_all(exp.Table)} - ctes)


def _with_models(sql: str) -> str:
    """The query with every rollup it still reads defined by its model (store/models/) as a CTE of
    the same name, which the query then reads in place of the table: computed from the base views."""
    read = {t for t in tables_read(sql) if t.startswith("rollup_") and t != "rollup_settings"}
    if not read:
        return sql
    ctes = rollups.as_ctes(read)
    lines = sql.splitlines()
    first = next(i for i, line in enumerate(lines) if line.split("--", 1)[0].strip())
    opening = re.match(r"(\s*)with\b", lines[first], re.IGNORECASE)
    if opening:
        lines[first] = f"{opening.group(1)}with {ctes},\n" + lines[first][opening.end() :].lstrip()
    else:
        lines[first] = f"with {ctes}\n" + lines[first]
    return "\n".join(lines)


def _sources_stamp() -> tuple[int, int]:
    """When the query files last changed: (newest modification time, number of files) over
    `queries/` and its fragments. A cached query is built again when this changes, so an edited
    `.sql` file takes effect at the next run of a page, as it did when every run read the files."""
    stamps = [e.stat().st_mtime_ns for d in (QUERIES_DIR, FRAGMENTS_DIR) for e in os.scandir(d) if e.is_file()]
    return max(stamps, default=0), len(stamps)


def load_query(name: str, *, plain: bool = False) -> Query:
    """The query `queries/<name>.sql` as it runs: fragments included, `-- Measures:` CTEs generated
    (store.facts); with `plain`, its reference form on the base views: the same text with the
    generated CTEs in their base form, the "-- Oracle:" sources swapped for their views, and with
    "-- Oracle: the rollups' models" any other rollup it reads computed by its model (KeyError if
    that form still reads a rollup).

    Built once per state of the files (_sources_stamp): expanding the includes, selections and
    generated CTEs took about 1 ms a query, longer than the query itself on a small store."""
    return _load_query(name, plain, _sources_stamp())


@functools.lru_cache(maxsize=512)
def _load_query(name: str, plain: bool, _stamp: tuple[int, int]) -> Query:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"No query named {name!r} in {QUERIES_DIR}")
    text = path.read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
    text = _expand_selected(_expand_includes(text))
    orders = tuple(m.group(0) for m in ORDER.finditer(text))
    text = generate.expand_cell_keys(_expand_order(text))
    for table, view in ORACLE.findall(header) if plain else ():
        text = re.sub(rf"\b(from|join)(\s+){table}\b", rf"\1\2{view}", text)
    sql, generated_choices = generate.expand(text, plain=plain)
    if plain:
        if ORACLE_MODELS.search(header):
            sql = _with_models(sql)
        # rollup_settings holds the scale the survey sums are stored in: constants, not sums
        if any(t.startswith("rollup_") and t != "rollup_settings" for t in tables_read(sql)):
            raise KeyError(f"Query {name!r} has no plain form: it reads rollups either way")
        # the base views hold every column a selection filters: no rollup to choose
        return Query(name, sql, frozenset(_PARAM.findall(_code(sql))), header)
    # the header's choices, then the included fragments' (in the expanded text, after the header)
    written = dict.fromkeys(
        Choice(m.group(1), m.group(2), frozenset(_PARAM.findall(m.group(4))), bool(m.group(3)))
        for m in map(ROLLUP_CHOICE.match, text.splitlines())
        if m
    )
    generated = [Choice(*c) for c in generated_choices]
    rungs = frozenset(n for c in generated for n in (c.coarse, c.fine))
    return Query(name, sql, frozenset(_PARAM.findall(_code(sql))), header, (*written, *generated), rungs, orders)


def _has_plain_form(name: str) -> bool:
    """The query reads rollups, and has a plain form that reads none."""
    if not any(t.startswith("rollup_") for t in tables_read(load_query(name).sql)):
        return False
    try:
        load_query(name, plain=True)
    except KeyError:
        return False
    return True


def query_names(*, plain: bool = False) -> list[str]:
    """The named queries; with `plain`, those that read rollups and have a plain form apart from
    their rollup form (generated CTEs, "-- Oracle:" swaps, models)."""
    return list(_query_names(plain, _sources_stamp()))


@functools.lru_cache(maxsize=8)
def _query_names(plain: bool, _stamp: tuple[int, int]) -> tuple[str, ...]:
    names = sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))
    return tuple(n for n in names if _has_plain_form(n)) if plain else tuple(names)


def run_query(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], *, plain: bool = False
) -> pd.DataFrame:
    """Run `queries/<name>.sql` on a fresh cursor, binding only the parameters it names.

    Every value travels as a bound `$parameter`; nothing is pasted into SQL text. Every sidebar
    selection is answered from the rollups (a finer one when the selection needs its grain, see
    "-- Rollup choice:"). With `plain`, its plain form (no rollups, the tests' and the benchmark's
    oracle, see load_query) runs instead: the same rows, slower.
    """
    query = load_query(name, plain=plain)
    sql, bound = query.statement(params)
    cur = cursor(con)
    try:
        return cur.execute(parsed(cur, sql), bound).df()
    except duckdb.CatalogException as exc:
        # A store written before the rollups existed: answer from the plain query (slower, the
        # same result) until `python -m servicequality refresh` adds them.
        if plain or "rollup_" not in str(exc):
            raise
        return run_query(con, name, params, plain=True)
    finally:
        cur.close()


# The statements parsed so far, by text (a page runs a few forms of each query: parsed once each).
_PARSED: dict[str, duckdb.Statement] = {}


def parsed(cur: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement:
    """`sql` parsed by DuckDB (on `cur`, with its settings) the first time it runs, then kept.

    DuckDB parses a text anew at each `execute`, and parsing the generated CTEs is a good part of
    a read: at 10 M tickets 3 of component_gaps' 12 ms and 8 of consistency_branch_months' 37
    (2026-12-06). A parsed statement is copied at each run, so one serves every cursor and thread;
    the values stay bound parameters. The texts come from the query files (Query._form, a
    bounded number of forms), never from input."""
    statement = _PARSED.get(sql)
    if statement is None:
        (statement,) = cur.extract_statements(sql)
        if len(_PARSED) >= 4096:  # the files changed many times over in one process: start afresh
            _PARSED.clear()
        _PARSED[sql] = statement
    return statement


@functools.cache
def nullable_types() -> dict:
    """The pandas type of an Arrow whole-number or boolean column holding a null (pandas imported
    when a result is first shaped: an import never shapes one)."""
    import pandas as pd

    return {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }


def like_duckdb(table: pa.Table) -> pd.DataFrame:
    """An Arrow result as DuckDB's `.df()` gives it: a whole-number or boolean column holding a null
    is nullable (Int64, boolean), one without stays a numpy column (Arrow would give float64 and
    object)."""
    frame = table.to_pandas()
    for i, field in enumerate(table.schema):
        column = table.column(i)
        if field.type in nullable_types() and column.null_count:
            frame[field.name] = column.to_pandas(types_mapper=nullable_types().get)
    return frame


def stream_query(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], *, batch_rows: int = 5_000
) -> Iterator[pd.DataFrame]:
    """Run a named query and yield its rows `batch_rows` at a time (Arrow record batches from
    DuckDB): a whole export never sits in Python's memory at once."""
    sql, bound = load_query(name).statement(params)
    cur = cursor(con)
    try:
        # a relation streams its result (execute() would materialise it before the first batch)
        relation = cur.sql(sql, params=bound)
        reader = relation.to_arrow_reader(batch_rows)
        for batch in reader:
            # nullable integers and booleans: a batch whose column happens to hold a null must not
            # turn 5 into 5.0 (each batch would write its numbers differently)
            yield batch.to_pandas(types_mapper=nullable_types().get)
    finally:
        cur.close()
