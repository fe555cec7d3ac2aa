"""A period's months in the generated reads (store.generate, Request._parts): the months it holds
whole, read from the month tables, and the months it cuts, read either as their days inside the
period (from the day tables) or as their month row less their days outside it, whichever reads
fewer days (cut_months). store.runner picks the text for a period's pattern (for_period): the
generated text holds the branches of every way, and the ways not taken are left out of it, since
DuckDB binds and plans each branch whatever its rows.

A source can subtract only when each of its rollups counts its facts (`Rollup.rows`, carried as
`_rows`): a group whose every fact lay on the subtracted days is left out by that count.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from typing import Any


def cut_months(start: Any, end: Any) -> tuple[str, str]:
    """How the generated reads take the period's first and last months (for_period):
    "whole" when the period holds the month whole (or, for the last, when it is the first month
    too, whose days the first's test reads), "less" when the period holds the month's end (its
    start, for the last) and it is fewer days to subtract the days outside the period from the
    month's row than to add those inside, else "add". Text, or no period: "add" for both (every
    cut day added, whatever the period).

    A year from 2 January: January less its first day (1 day, not the 30 from the 2nd)."""
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return "add", "add"
    if start > end:
        return "whole", "whole"  # no day: nothing to cut (and every read is empty)
    first_end = _last_day(start)
    if start.day == 1 and first_end <= end:
        first = "whole"
    else:
        inside = (min(end, first_end) - start).days + 1
        first = "less" if first_end <= end and start.day - 1 < inside else "add"
    last_end = _last_day(end)
    if end == last_end or (end.year, end.month) == (start.year, start.month) and first != "whole":
        last = "whole"
    else:  # a later month than the first: its days from the 1st are inside
        last = "less" if (last_end - end).days < end.day else "add"
    return first, last


def _last_day(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


# The first test of a rollup's cut days (Request._parts): a day of the period's first month.
_CUT_TEST = "between $start and last_day(cast($start as date))"
_UNION = "\n        union all\n        select "


def without_cut_days(sql: str) -> str:
    """The text without the cut days of each rollup read (a `union all` branch of Request._parts
    or _cell_parts): what store.runner runs when the period is whole months, where those branches
    hold no row.

    DuckDB binds, optimises and scans each branch whatever its rows: at 10 M tickets a year's
    component_item_variances took 32 ms with its two and 22 ms without (2026-12-06)."""
    return without_branches(sql, re.compile(re.escape(_CUT_TEST)))


def without_branches(sql: str, test: re.Pattern, *, once: bool = False) -> str:
    """The text without each `union all` branch of a generated source (Request._parts,
    _cell_parts) that holds `test` (the first only, with `once`): from the `union all` before it,
    or when it is the source's first branch to the one after it."""
    while m := test.search(sql):
        end = sql.find("\n    )", m.start())
        following = sql.find(_UNION, m.start())
        following = following if 0 <= following < end else -1
        start = sql.rfind(_UNION, 0, m.start())
        opening = sql.rfind(" as (\n        select ", 0, m.start())
        if end >= 0 and opening >= 0 and start < opening and following < 0:
            raise _LastBranch(m.start())
        if end < 0 or opening < 0:
            raise ValueError(f"a branch not where Request puts them:\n{sql[max(0, m.start() - 500) : m.start()]}")
        if start > opening:  # after the source's first branch: from its `union all`
            sql = sql[:start] + sql[following if following >= 0 else end :]
        else:  # the first: to the next branch's select
            first = opening + len(" as (\n        ")
            sql = sql[:first] + sql[following + len(_UNION) - len("select ") :]
        if once:
            break
    return sql


# A clause of a branch that the runner's answers to the null tests left constant (_fold_nulls): the
# `where` or an `and` line of nothing but true, false, and, or, not and parentheses.
_CONSTANT = re.compile(r"\n([ \t]*)(where|and) ((?:true|false|and|or|not|[() ])+)(?=\n)")
_DEAD = "false -- (never true)"


def without_dead_branches(sql: str) -> str:
    """The text with each constant clause of a generated source answered: a true one left out
    (`where true` kept), and a branch with a false one left out of its source (its last branch
    kept, reading nothing, so the source still has rows of its columns).

    A guard says which twin reads a month (facts.Rollup.network, brief_months): with the selections'
    null tests answered, the branch a pattern does not take holds `and false`, which DuckDB would
    still bind and plan. A network source whose every branch is dead (a branch is selected) goes
    whole, with the `union all` that reads it (_without_source)."""

    def answer(m: re.Match) -> str:
        value = _truth(m.group(3))
        if value is None:  # not a whole clause: it goes on over the next line
            return m.group(0)
        if value:
            return f"\n{m.group(1)}where true" if m.group(2) == "where" else ""
        return f"\n{m.group(1)}{m.group(2)} {_DEAD}"

    sql = _CONSTANT.sub(answer, sql)
    while (at := sql.find(_DEAD)) >= 0:
        sources = list(_SOURCE.finditer(sql, 0, at))
        source = sources[-1] if sources else None
        if source and _GENERATED.search(source.group(1)) and at < sql.find("\n    )", source.end()):
            try:
                sql = without_branches(sql, re.compile(re.escape(_DEAD)), once=True)
                continue
            except _LastBranch:
                if (whole := _without_source(sql, source.group(1))) is not None:
                    sql = whole
                    continue
        sql = sql[:at] + "false" + sql[at + len(_DEAD) :]  # a hand-written branch, or a source's last
    return sql


def _truth(clause: str) -> bool | None:
    """The value of a clause of true, false, not, and, or and parentheses (SQL's precedence: not,
    then and, then or), or None when it is not one whole clause."""
    tokens = re.findall(r"true|false|and|or|not|[()]", clause)
    at = 0

    def take(word: str) -> bool:
        nonlocal at
        if at < len(tokens) and tokens[at] == word:
            at += 1
            return True
        return False

    def joined(word: str, operand, combine) -> bool | None:  # operands joined by `word`, left to right
        value = operand()
        while value is not None and take(word):
            right = operand()
            value = None if right is None else combine(value, right)
        return value

    def either() -> bool | None:
        return joined("or", both, operator.or_)

    def both() -> bool | None:
        return joined("and", single, operator.and_)

    def single() -> bool | None:
        if take("not"):
            value = single()
            return None if value is None else not value
        if take("("):
            value = either()
            return value if take(")") else None
        for word, value in (("true", True), ("false", False)):
            if take(word):
                return value
        return None

    value = either()
    return value if at == len(tokens) else None


# A source's opening, and the names Request gives its generated sources: _parts, _network, and a
# rung's (_by_<grain>, _finer; Request.ladder).
_SOURCE = re.compile(r"\b(\w+) as \(\n        select ")
_GENERATED = re.compile(r"_(?:parts|network|finer|by_\w+)$")


def _without_source(sql: str, name: str) -> str | None:
    """The text without the network source `name` and the `union all` that reads it (the only
    reader Request.rollup_sql gives it), or None when `name` is no such source."""
    reader = f"\n            union all\n            select * from {name}\n"
    start = sql.find(f",\n    {name} as (\n")
    end = sql.find("\n    )", start)
    if not name.endswith("_network") or start < 0 or end < 0 or sql.count(reader) != 1:
        return None
    rest = sql[end + len("\n    )") :].replace(reader, "\n", 1)
    if re.search(rf"\b{name}\b", sql[:start] + rest):
        return None  # read elsewhere as well
    return sql[:start] + rest


class _LastBranch(ValueError):
    """The branch to leave out is its source's only one (at: where its test is)."""

    def __init__(self, at: int) -> None:
        self.at = at


def cut_days(alias: str, date: str, *, subtracting: bool = False) -> list[str]:
    """The days of the period's first and last month, unless that month lies wholly inside: the
    clauses of a union branch after the first. Its first test says which text it is: in a source
    that only adds (without_cut_days finds it when both months are whole), or, `subtracting`, in
    one whose cut months may instead be read as month rows less their outside days (cut_clause's
    kind 0: for_period keeps the test of each month read by its days)."""
    day, month = f"{alias}.{date}", f"cast(date_trunc('month', {alias}.{date}) as date)"
    first = cut_clause(0, day) if subtracting else f"({day} {_CUT_TEST} or {day} between {_END_MONTH} and $end)"
    return [first, f"{day} between $start and $end", f"not ({month} >= $start and last_day({day}) <= $end)"]


# The carried count of facts of a source that subtracts (Request._subtracts): Rollup.rows.
ROWS = "_rows"


_START_MONTH = "cast(date_trunc('month', cast($start as date)) as date)"
_END_MONTH = "cast(date_trunc('month', cast($end as date)) as date)"
# The cut months of a source that subtracts, per kind of branch: (the first month's test, the last
# month's) on a column {c}, for its days inside the period added (kind 0), its month row (1), its
# outside days subtracted (2). A branch tests `(first or last)`; for_period keeps the tests of the
# months read that way and leaves out a branch with none.
_CUT_KINDS = (
    ("({c} >= $start and {c} <= last_day(cast($start as date)))", f"({{c}} >= {_END_MONTH} and {{c}} <= $end)"),
    (f"({{c}} = {_START_MONTH})", f"({{c}} = {_END_MONTH})"),
    (f"({{c}} >= {_START_MONTH} and {{c}} < $start)", "({c} > $end and {c} <= last_day(cast($end as date)))"),
)


def cut_clause(kind: int, column: str) -> str:
    first, last = _CUT_KINDS[kind]
    return f"({first.format(c=column)} or {last.format(c=column)})"


def _cut_pattern(kind: int) -> re.Pattern:
    """`cut_clause(kind, column)` for any column (group `c`)."""
    head, *rest = re.escape(cut_clause(kind, "@column@")).split("@column@")
    return re.compile(head + r"(?P<c>[\w.]+)" + r"(?P=c)".join(rest))


# The count of facts a source that subtracts carries, its sum and the test on it (Request.rollup_sql).
_ROWS_CARRIED = re.compile(
    rf", -?\w+\.\w+ as {ROWS}\b|,\n\s*sum\(r\.{ROWS}\) as {ROWS}\b|\n\s*having sum\(r\.{ROWS}\) > 0"
)

# A branch for_period leaves out (never in a query's own text).
_LEFT_OUT = "(left out)"


def for_period(sql: str, first: str, last: str) -> str:
    """The text for a period whose first and last months are each read `first` and `last`:
    "whole" (the period holds it whole, or the other cut month's test holds its days), "add"
    (its days in the period from the day tables) or "less" (its month row less its days outside
    the period: cut_months picks it when those are fewer; store.runner asks for the text). Each cut-month test of a
    source that subtracts keeps the months read its way; a branch left with none is left out,
    as are the plain cut days (`without_cut_days`) when both months are whole."""
    if first == last == "whole":
        sql = without_cut_days(sql)
    if "less" not in (first, last):  # nothing subtracted: no group to leave out
        sql = _ROWS_CARRIED.sub("", sql)
    for kind, pair in enumerate(_CUT_KINDS):
        wanted = "add" if kind == 0 else "less"
        kept = [test for test, mode in zip(pair, (first, last), strict=True) if mode == wanted]

        def answer(m: re.Match, kept=kept) -> str:
            if not kept:
                return _LEFT_OUT
            return kept[0].format(c=m.group("c")) if len(kept) == 1 else m.group(0)

        sql = _cut_pattern(kind).sub(answer, sql)
    return without_branches(sql, re.compile(re.escape(_LEFT_OUT)))


def in_months(alias: str) -> str:
    """The month rows (alias `alias`) lying wholly inside the period."""
    return f"{alias}.month_start >= $start and {alias}.month_end <= $end"
