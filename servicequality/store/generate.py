"""The `-- Measures:` CTEs, generated from the facts of store.facts in two forms.

A query file says, inside its `with` clause,

    -- Measures: counted = tickets by month: complaints

and store.runner replaces that line with a CTE `counted` holding one row per month (the keys after
`by`; none: one row) and a column per measure named after the second colon:

- the **rollup form** (what the pages run) sums the fact's rollup columns, from the smallest rollup
  whose grain holds the keys: the whole months of the period from its month table (if it has one;
  from its network twin, summed over the branches, when no branch, region or branch type is
  selected and no key is a branch's) and the days of the months the period cuts from its day
  table (or, when fewer, a cut month's row less its days outside the period: store.periods), or
  every day of the period from the day table; a selection outside that grain switches
  to the smallest finer rollup that answers every selection set (store.runner's rollup choices,
  one rung of Request.ladder at a time). Means and standard deviations are rebuilt
  from the sums (scaled integers for the survey, see store.rollups);
- the **base form** (the tests' oracle) aggregates the fact's base view row by row: `count`, `sum`,
  `avg`, `stddev_samp` and `var_samp` over the facts themselves, with no rollup and no period split.

`by cell` groups by Explore's two dimensions ($dim1, $dim2: keys key1 and key2); `in cell` counts the
one cell the $cell_<dimension> parameters name. Their rollup is picked at run time by bound
conditions: the smallest that answers the dimensions and the selections.

Equal rows from the two forms under every filter scenario (tests/store/test_rollups.py) is the proof
that the rollups, their month/day split and the sum formulas are right.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from servicequality import catalog
from servicequality.store import periods
from servicequality.store.facts import BRIEF, FACTS, Agg, Fact, Rollup, selected

# Branch attributes: the rollups hold the branch id, the base views the attributes themselves.
_BRANCH_ATTRIBUTES = {"region", "branch_type"}
# The selections filtered on the branches joined to a rollup's rows, not on each row: the branch
# list too (a year of 100 branches' rows, each tested against the 100 ids, took a third of a read
# of component_item_variances; tested on the 120 branches, the join keeps their rows).
_ON_BRANCHES = _BRANCH_ATTRIBUTES | {"branch_id"}
# Keys a generated CTE can be grouped by besides the catalogue's columns: (rollup form, base form).
_TIME_KEYS = {
    "month": ("r.month_start", "cast(date_trunc('month', f.{date}) as date)"),
    "quarter": ("cast(date_trunc('quarter', r.month_start) as date)", "cast(date_trunc('quarter', f.{date}) as date)"),
}
_COLUMNS = {catalog.BY_SELECTION[s].column for s in catalog.SELECTIONS}

# Explore's cell ("by cell"): the keys key1 and key2 are the values of the dimensions bound in $dim1 and
# $dim2 (catalog.DIMENSIONS; matched by `case`, never pasted). Per dimension: its value on a rollup row
# `r` (joined to branches `b` and complaint_categories `cc`), on a base row `f`, and the grain column a
# rollup needs to answer it (None: every rollup). An unknown dimension gives a null key (one cell).
_WEEKDAY = "cast(((date_diff('day', date '2000-01-03', {x}.{date}) % 7) + 7) % 7 + 1 as varchar)"
_CELL_KEYS = {
    "branch": ("r.branch_id", "f.branch_id", None),
    "region": ("b.region", "f.region", None),
    "branch_type": ("b.branch_type", "f.branch_type", None),
    "channel": ("r.channel", "f.channel", "channel"),
    "category": ("coalesce(r.category, 'Unmapped')", "coalesce(f.category, 'Unmapped')", "category"),
    "family": ("coalesce(cc.family, 'unmapped')", "coalesce(f.family, 'unmapped')", "category"),
    "component": ("coalesce(cc.component_key, 'unmapped')", "coalesce(f.component_key, 'unmapped')", "category"),
    "segment": ("r.segment", "f.segment", "segment"),
    "month": ("substring(cast(r.{date} as varchar), 1, 7)", "substring(cast(f.{date} as varchar), 1, 7)", None),
    "weekday": (_WEEKDAY.replace("{x}", "r"), _WEEKDAY.replace("{x}", "f"), None),
}
_CELL_COLUMNS = sorted({c for _, _, c in _CELL_KEYS.values() if c})
# Whether a dimension is the weekday (the month twins cannot answer it): the tests of the branches
# that read the month twins and cut days, and of the branch that reads every day (for_weekday).
_WEEKDAY = "(coalesce($dim1 = 'weekday', false) or coalesce($dim2 = 'weekday', false))"
_NO_WEEKDAY = f"not {_WEEKDAY}"
# An Explore cell's weekday ("in cell"): the runner answers the test by whether it is null.
_WEEKDAY_CELL = "($cell_weekday is not null)"


def _in_cell(form: int, date: str) -> list[str]:
    """The clauses of an Explore cell: each $cell_<dimension> null for "any", else the row's value."""
    return [
        f"($cell_{dim} is null or {forms[form].format(date=date)} = cast($cell_{dim} as varchar))"
        for dim, forms in _CELL_KEYS.items()
    ]


def _cell_key(param: str, form: int, date: str) -> str:
    whens = "".join(
        f"\n                when '{dim}' then {forms[form].format(date=date)}" for dim, forms in _CELL_KEYS.items()
    )
    return f"case ${param}{whens}\n            end"


# "-- Cell keys on h by opened_on: branch, region, channel, month": a hand-written Explore query's keys
# key1 and key2, the values of the dimensions bound in $dim1 and $dim2 on its rows `h` (dated by
# `opened_on`), each as the catalogue's dimension is valued (_CELL_KEYS); `region = b.region` when
# the row holds it elsewhere. The dimensions listed are those the query answers: any other is null.
CELL_KEYS_LINE = re.compile(r"^([ \t]*)-- Cell keys on (\w+) by (\w+): ([\w., =]+)$", re.MULTILINE)


def _cell_keys(m: re.Match) -> str:
    pad, alias, date, listed = m.groups()
    values = {}
    for item in (i.strip() for i in listed.split(",") if i.strip()):
        dim, _, column = (part.strip() for part in item.partition("="))
        if dim not in _CELL_KEYS:
            raise KeyError(f"-- Cell keys: no Explore dimension {dim!r} ({sorted(_CELL_KEYS)})")
        values[dim] = column or _CELL_KEYS[dim][1].format(date=date).replace("f.", f"{alias}.")
    keys = []
    for n in (1, 2):
        whens = "".join(f"\n{pad}    when '{dim}' then {value}" for dim, value in values.items())
        keys.append(f"{pad}case $dim{n}{whens}\n{pad}end as key{n},")
    return "\n".join(keys)


def expand_cell_keys(sql: str) -> str:
    return CELL_KEYS_LINE.sub(_cell_keys, sql)


MEASURES_LINE = re.compile(r"^-- Measures: (\w+) = (\w+)(?: (by|in) ([\w ,]+?))?: ([\w, ]+)$", re.MULTILINE)


@dataclass(frozen=True)
class Request:
    """One `-- Measures:` line: a CTE name, a fact, its keys (name, output alias) and measures."""

    cte: str
    fact: Fact
    keys: tuple[tuple[str, str], ...]
    measures: tuple[str, ...]
    # "in cell": one row, the facts of the Explore cell the $cell_<dimension> parameters name
    in_cell: bool = False

    @classmethod
    def parse(cls, match: re.Match) -> Request:
        cte, fact_name, mode, keys, measures = match.groups()
        if fact_name not in FACTS:
            raise KeyError(f"-- Measures: no fact named {fact_name!r} (store/facts.py declares {sorted(FACTS)})")
        fact = FACTS[fact_name]
        if mode == "in":
            if (keys or "").strip() != "cell":
                raise KeyError(f"-- Measures: 'in' takes only 'cell', not {keys!r}")
            names = tuple(m.strip() for m in measures.split(",") if m.strip())
            unknown = [m for m in names if m not in fact.measures]
            if unknown:
                raise KeyError(f"-- Measures: {fact_name} has no measure {unknown}")
            return cls(cte, fact, (), names, in_cell=True)
        parsed = []
        for key in (k.strip() for k in (keys or "").split(",") if k.strip()):
            name, _, alias = key.partition(" as ")
            if name == "cell":
                parsed += [("cell", "key1"), ("cell", "key2")]
                continue
            if name not in _COLUMNS and name not in _TIME_KEYS and not any(name in r.grain for r in fact.rollups):
                raise KeyError(f"-- Measures: cannot group {fact_name} by {name!r}")
            parsed.append((name, alias or name))
        names = tuple(m.strip() for m in measures.split(",") if m.strip())
        unknown = [m for m in names if m not in fact.measures]
        if unknown:
            raise KeyError(f"-- Measures: {fact_name} has no measure {unknown}")
        return cls(cte, fact, tuple(parsed), names)

    def _clauses(self, alias: str, columns: set[str] | None = None, *, attributes: bool = False) -> list[str]:
        """The fact's selection clauses on `alias`: those on the branch and its attributes (region,
        branch type; the rollups join branches for them) with `attributes`, else the others whose
        column is in `columns` (None: all)."""
        clauses = []
        for selection in self.fact.selections:
            column = catalog.BY_SELECTION[selection].column
            if (column in _ON_BRANCHES) != attributes or column in self.fact.applied:
                continue
            if attributes or columns is None or column in columns:
                clauses.append(selected(selection, f"{alias}.{column}"))
        return clauses

    def _key_columns(self) -> set[str]:
        return {k for k, _ in self.keys if k not in _TIME_KEYS and k not in _BRANCH_ATTRIBUTES and k != "branch_id"}

    def _parts(self, rollup: Rollup, sums: list[str], *, network: bool = False, subtract: bool = False) -> str:
        """The rows of one rollup in the period: whole months from its month table and the cut
        months' days from the day table (or every day of the period from the day table), with the
        selections its grain holds (branch attributes are filtered after the join with branches).
        With `network`, the whole months only when a branch, region or branch type is selected:
        otherwise the network twin gives them (`_network_part`).

        With `subtract` (`_subtracts`), a cut month can also be read as its month row less the
        days of it outside the period (their sums negated): per cut month, the text store.runner
        runs keeps the branches that read fewer days (periods.for_period). A year from 2 January read its January's
        595,000 item-day rows at 10 M tickets; its month rows and 1 January are 62,000 and 20,000."""
        date = self.fact.date
        day_month = f"cast(date_trunc('month', e.{date}) as date)"
        if not rollup.months:
            return self._part(rollup, sums, rollup.table, "e", day_month, [f"e.{date} between $start and $end"])
        guard = [f"not ({_NO_BRANCH})"] if network else []
        whole_months = self._month_rows(rollup, sums, [*guard, periods.in_months("m")])
        if not subtract or rollup.period_only:
            cut_days = self._part(rollup, sums, rollup.table, "e", day_month, periods.cut_days("e", date))
            return _UNION.join([*whole_months, cut_days])
        day = f"e.{date}"
        return _UNION.join(
            [
                *whole_months,
                self._part(rollup, sums, rollup.table, "e", day_month, periods.cut_days("e", date, subtracting=True)),
                *self._month_rows(rollup, sums, [*guard, periods.cut_clause(1, "m.month_start")]),
                self._part(rollup, sums, rollup.table, "e", day_month, [periods.cut_clause(2, day)], negate=True),
            ]
        )

    def _month_rows(self, rollup: Rollup, sums: list[str], period: list[str], *, network: bool = False) -> list[str]:
        """The branches reading `rollup`'s month rows in `period` (alias m), or its network twin's
        with `network`: from its brief twin when it has one that answers the keys, unless a
        channel or segment is selected (a year of 100 branches' alpha sums: 745,000 month rows,
        32,000 in the brief twin), else from the twin with every column."""
        table, brief = (rollup.network, rollup.brief_network) if network else (rollup.months, rollup.brief_months)
        if brief is None or not rollup.brief(self._key_columns()):
            return [self._part(rollup, sums, table, "m", "m.month_start", period, network)]
        chosen = self._no_brief_selection()
        return [
            self._part(rollup, sums, table, "m", "m.month_start", [f"not ({chosen})", *period], network),
            self._part(rollup, sums, brief, "m", "m.month_start", [chosen, *period], network, brief=True),
        ]

    def _no_brief_selection(self) -> str:
        """The test that no selection of a column the brief twins sum over is set."""
        columns = {s: catalog.BY_SELECTION[s].column for s in self.fact.selections}
        return " and ".join(f"${s} is null" for s, column in columns.items() if column in BRIEF)

    def _network_part(self, rollup: Rollup, sums: list[str], *, subtract: bool = False) -> str:
        """The whole months of the period summed over the branches (a year of Cronbach's alpha read
        749,000 branch rows in the 10 M benchmark store), when no branch, region or branch type is
        selected; the rows of `_parts` with a null branch (with `subtract`, also the month rows of
        the cut months read whole, less their outside days, which `_parts` reads)."""
        whole = self._month_rows(rollup, sums, [_NO_BRANCH, periods.in_months("m")], network=True)
        if not subtract:
            return _UNION.join(whole)
        cut = self._month_rows(rollup, sums, [_NO_BRANCH, periods.cut_clause(1, "m.month_start")], network=True)
        return _UNION.join([*whole, *cut])

    def _part(
        self,
        rollup: Rollup,
        sums: list[str],
        table: str,
        alias: str,
        month: str,
        period: list[str],
        network: bool = False,
        negate: bool = False,
        brief: bool = False,
    ) -> str:
        """One branch of a source: the rollup's `table` rows (alias `alias`) in `period`, carrying
        the branch, the keys and `sums` (`periods.ROWS`: the rollup's count of facts), negated with
        `negate`; a `brief` twin holds no column of facts.BRIEF to filter on."""
        values = [f"{alias}.{c}" for c in ["branch_id", *sorted(self._key_columns())]]
        for column in sums:
            value = f"{alias}.{rollup.rows if column == periods.ROWS else column}"
            values.append(
                f"-{value} as {column}" if negate else f"{value} as {column}" if column == periods.ROWS else value
            )
        filtered = {"branch_id", *(rollup.grain - BRIEF if brief else rollup.grain)}
        if network:  # no branch column: the rows of every branch summed
            values[0], filtered = "cast(null as varchar) as branch_id", filtered - {"branch_id"}
        columns = ", ".join([*values, f"{month} as month_start"])
        where = _AND.join([*self._clauses(alias, filtered), *period])
        return f"select {columns}\n        from {table} as {alias}\n        where {where}"

    def _subtracts(self, sources: list[Rollup]) -> bool:
        """Whether the CTE's cut months may be read as month rows less their outside days: every
        source counts its facts (`Rollup.rows`, by which the groups the subtraction empties are
        left out) and no measure is a bare sum (a month's sum less its outside days' is 0 where
        the period's days hold no value, not null)."""
        return all(r.rows for r in sources) and not any(self.fact.measures[m].bare for m in self.measures)

    def _network(self, rollup: Rollup) -> bool:
        """Whether `rollup`'s network twin can give the whole months: it has one and no key needs a branch."""
        branchless = not any(k == "branch_id" or k in _BRANCH_ATTRIBUTES for k, _ in self.keys)
        return rollup.network is not None and branchless and _BRANCH_SELECTIONS <= set(self.fact.selections)

    def sources(self, sums: set[str]) -> tuple[Rollup, Rollup]:
        """The smallest rollup whose grain holds the keys, and the smallest that also holds every
        selection's column (read when a selection outside the first one's grain is set)."""
        keys = self._key_columns()
        selected = {catalog.BY_SELECTION[s].column for s in self.fact.selections}
        every = keys | selected - _BRANCH_ATTRIBUTES - {"branch_id"} - self.fact.applied
        usual = next((r for r in self.fact.rollups if r.holds(keys, sums)), None)
        finest = next((r for r in self.fact.rollups if r.holds(every, sums)), None)
        if self.fact.applied and finest is not None:
            finest = self.fact.rollups[-1]  # the source that applies those selections itself
        if usual is None or finest is None:
            raise KeyError(f"-- Measures {self.cte}: no rollup of {self.fact.name} holds {sorted(keys | sums)}")
        return usual, finest

    def ladder(self, sums: set[str]) -> list[tuple[str, Rollup]]:
        """The sources the CTE may read, each with its CTE name, coarse to fine: the smallest rollup
        whose grain holds the keys (`{cte}_parts`), then each later one that holds the keys and sums
        (`{cte}_by_<grain>`; a channel selection reads the branch x day x channel rollup, not every
        cell), ending with the one that holds every selection (`{cte}_finer`)."""
        usual, finest = self.sources(sums)
        if usual == finest:
            return [(f"{self.cte}_parts", usual)]
        rollups, keys = list(self.fact.rollups), self._key_columns()
        between = [] if self.fact.applied else rollups[rollups.index(usual) + 1 : rollups.index(finest)]
        return [
            (f"{self.cte}_parts", usual),
            *((f"{self.cte}_by_{'_'.join(sorted(r.grain))}", r) for r in between if r.holds(keys, sums)),
            (f"{self.cte}_finer", finest),
        ]

    def choices(self) -> list[tuple[str, str, frozenset[str]]]:
        """The rollup choices for store.runner, applied in this order: (a source's CTE, the next
        one's, the selections the first cannot answer). With any of those set the query moves one
        rung down the ladder, so it ends on the first source that answers every selection set."""
        if self.in_cell or (self.keys and self.keys[0][0] == "cell"):
            return []  # the cells pick their rollup by bound conditions (_cell_parts)
        ladder = self.ladder({c for m in self.measures for c in self.fact.measures[m].sums})
        return [
            (name, following, self._unanswered(rollup)) for (name, rollup), (following, _) in itertools.pairwise(ladder)
        ]

    def _unanswered(self, rollup: Rollup) -> frozenset[str]:
        """The fact's selections whose column `rollup`'s grain lacks."""
        answered = rollup.grain | _BRANCH_ATTRIBUTES | {"branch_id"}
        return frozenset(s for s in self.fact.selections if catalog.BY_SELECTION[s].column not in answered)

    def _cell_parts(self, sums: list[str]) -> str:
        """Explore's cells: the day rows of the smallest rollup that answers both dimensions and every
        selection set, picked at run time by bound conditions (a branch whose condition is false
        reads nothing); the columns a rollup lacks are null."""
        date, branches, earlier = self.fact.date, [], []
        for rollup in self.fact.rollups:
            if rollup.columns is not None and not set(sums) <= rollup.columns:
                continue
            dims = ", ".join(f"'{d}'" for d, (_, _, need) in _CELL_KEYS.items() if need is None or need in rollup.grain)
            outside = [
                f"${s} is null"
                for s in self.fact.selections
                if catalog.BY_SELECTION[s].column not in rollup.grain | _BRANCH_ATTRIBUTES | {"branch_id"}
            ]
            if self.in_cell:
                cells = [
                    f"$cell_{d} is null" for d, (_, _, need) in _CELL_KEYS.items() if need and need not in rollup.grain
                ]
            else:
                cells = [f"coalesce($dim1 in ({dims}), true)", f"coalesce($dim2 in ({dims}), true)"]
            answers = " and ".join([*cells, *outside])
            columns = [f"r.{c}" if c in rollup.grain else f"cast(null as varchar) as {c}" for c in _CELL_COLUMNS]
            last = rollup == self.fact.rollups[-1]
            guard = [*(f"not ({e})" for e in earlier), *([] if last else [f"({answers})"])]
            clauses = [*guard, *self._clauses("r", {"branch_id", *rollup.grain})]
            values = f"{', '.join(columns)}, {', '.join(f'r.{c}' for c in sums)}"
            days = f"select r.branch_id, r.{date}, {values}\n        from {rollup.table} as r\n        where "
            period = f"r.{date} between $start and $end"
            if rollup.months:
                # unless a dimension (or the cell) is a weekday, the whole months from the month twin
                # (dated by their first day: the month key and a month cell read the same) and the
                # cut months' days (left out by periods.without_cut_days when there are none), else every day
                weekday, other = (_WEEKDAY_CELL, f"not {_WEEKDAY_CELL}") if self.in_cell else (_WEEKDAY, _NO_WEEKDAY)
                branches += [
                    f"select r.branch_id, r.month_start as {date}, {values}\n        from {rollup.months} as r"
                    f"\n        where {_AND.join([*clauses, other, periods.in_months('r')])}",
                    days + _AND.join([*clauses, other, *periods.cut_days("r", date)]),
                    days + _AND.join([*clauses, weekday, period]),
                ]
            else:
                branches.append(days + _AND.join([*clauses, period]))
            earlier.append(answers)
        return "\n        union all\n        ".join(branches)

    def _cell_sql(self, measures: list[Agg], sums: list[str]) -> str:
        date = self.fact.date
        keys = (
            [] if self.in_cell else [f"{_cell_key('dim1', 0, date)} as key1", f"{_cell_key('dim2', 0, date)} as key2"]
        )
        summed = _LIST.join([*keys, *(f"sum(r.{c}) as {c}" for c in sums)])
        where = _AND.join([*self._clauses("b", attributes=True), *(_in_cell(0, date) if self.in_cell else [])])
        group = "" if self.in_cell else "\n        group by all"
        formulas = ",\n        ".join(
            [
                *([] if self.in_cell else ["s.key1", "s.key2"]),
                *(f"{m.rollup} as {n}" for m, n in zip(measures, self.measures, strict=True)),
            ]
        )
        settings = "\n    cross join rollup_settings as st" if any("st." in m.rollup for m in measures) else ""
        return f"""{self.cte} as (
    with {self.cte}_parts as (
        {self._cell_parts(sums)}
    ),
    {self.cte}_summed as (
        select
            {summed}
        from {self.cte}_parts as r
        join branches as b on b.branch_id = r.branch_id
        left join complaint_categories as cc on cc.category = r.category
        where {where or "true"}{group}
    )
    select
        {formulas}
    from {self.cte}_summed as s{settings}
)"""

    def rollup_sql(self) -> str:
        """The CTE over the rollups: sums of the rollup columns, then each measure's formula."""
        measures = [self.fact.measures[m] for m in self.measures]
        sums = sorted({c for m in measures for c in m.sums})
        if self.in_cell or (self.keys and self.keys[0][0] == "cell"):
            return self._cell_sql(measures, sums)
        (_, usual), *finer = ladder = self.ladder(set(sums))
        # the network twin, when the query has no choice of rollup (its rows need no branch join)
        network = not finer and self._network(usual)
        subtract = self._subtracts([rollup for _, rollup in ladder])
        sums = [*sums, periods.ROWS] if subtract else sums
        parts = f"{self.cte}_parts as (\n        {self._parts(usual, sums, network=network, subtract=subtract)}\n    )"
        for name, rollup in finer:
            parts += f",\n    {name} as (\n        {self._parts(rollup, sums, subtract=subtract)}\n    )"
        if network:
            network_rows = self._network_part(usual, sums, subtract=subtract)
            parts += f",\n    {self.cte}_network as (\n        {network_rows}\n    )"
        keys = [(_rollup_key(k), alias) for k, alias in self.keys]
        summed = _LIST.join([*(f"{e} as {a}" for e, a in keys), *(f"sum(r.{c}) as {c}" for c in sums)])
        branch_filters = _AND.join(self._clauses("b", attributes=True)) or "true"
        group = f"\n        group by {', '.join(e for e, _ in keys)}" if keys else ""
        if keys and subtract:  # a group whose every fact lay on the cut months' outside days
            group += f"\n        having sum(r.{periods.ROWS}) > 0"
        formulas = ",\n        ".join(
            [
                *(f"s.{a}" for _, a in keys),
                *(f"{m.rollup} as {n}" for m, n in zip(measures, self.measures, strict=True)),
            ]
        )
        settings = "\n    cross join rollup_settings as st" if any("st." in m.rollup for m in measures) else ""
        rows = f"""{self.cte}_parts as r
        join branches as b on b.branch_id = r.branch_id
        where {branch_filters}"""
        if network:  # its rows have no branch to join (and keys that need none)
            joined = rows.replace("\n        ", "\n            ")
            rows = f"""(
            select r.*
            from {joined}
            union all
            select * from {self.cte}_network
        ) as r"""
        return f"""{self.cte} as (
    with {parts},
    {self.cte}_summed as (
        select
            {summed}
        from {rows}{group}
    )
    select
        {formulas}
    from {self.cte}_summed as s{settings}
)"""

    def base_sql(self) -> str:
        """The CTE over the base view: each measure's aggregate over the facts themselves."""
        fact = self.fact
        keys = [(_base_key(k, fact.date), a) for k, a in self.keys]
        if self.keys and self.keys[0][0] == "cell":
            # a cell column the base does not hold is null there, as in a rollup without it
            held = {catalog.BY_SELECTION[s].column for s in fact.selections} - fact.applied
            held |= {"family"} if "category" in held else set()
            missing = {"category", "family", "component_key", "channel", "segment"} - held
            keys = [(_cell_key(f"dim{n}", 1, fact.date), f"key{n}") for n in (1, 2)]
            for column in missing:
                keys = [(re.sub(rf"\bf\.{column}\b", "cast(null as varchar)", e), a) for e, a in keys]
        columns = ",\n        ".join(
            [*(f"{e} as {a}" for e, a in keys), *(f"{fact.measures[m].base} as {m}" for m in self.measures)]
        )
        where = "\n        and ".join(
            [
                f"f.{fact.date} between $start and $end",
                *self._clauses("f", attributes=True),
                *self._clauses("f"),
                *(_in_cell(1, fact.date) if self.in_cell else []),
            ]
        )
        group = f"\n    group by {', '.join(e for e, _ in keys)}" if keys else ""
        return f"""{self.cte} as (
    select
        {columns}
    from {fact.base} as f
    where {where}{group}
)"""


_AND = "\n            and "
# No selection of branches or of their attributes: the network twins' rows answer (Rollup.network).
_NO_BRANCH = "$branches is null and $regions is null and $branch_types is null"
_BRANCH_SELECTIONS = {"branches", "regions", "branch_types"}
_LIST = ",\n            "
_UNION = "\n        union all\n        "


def for_weekday(sql: str, weekday: bool) -> str:
    """The text of Explore's cells (Request._cell_parts) when a dimension is the weekday (every day
    from the day tables) or none is (the month twins and the cut days): the other branches left
    out. A year of one component's gaps by region read its 318,000 day rows in 62 of 66 ms, its
    month rows in 27 ms in all (2026-12-06); the branches nobody reads cost their planning."""
    return periods.without_branches(
        sql, re.compile(re.escape(_NO_WEEKDAY) if weekday else rf"(?<!not ){re.escape(_WEEKDAY)}")
    )


def _rollup_key(key: str) -> str:
    if key in _TIME_KEYS:
        return _TIME_KEYS[key][0]
    return f"b.{key}" if key in _BRANCH_ATTRIBUTES else f"r.{key}"


def _base_key(key: str, date: str) -> str:
    return _TIME_KEYS[key][1].format(date=date) if key in _TIME_KEYS else f"f.{key}"


def expand(sql: str, *, plain: bool = False) -> tuple[str, list[tuple[str, str, frozenset[str]]]]:
    """Replace each `-- Measures:` line by its CTE (the base form with `plain`); a comma follows
    unless the main `select` does. Returns the SQL and the rollup choices of its CTEs (usual
    source, finer source, the selections that need the finer one) for store.runner."""
    choices = []

    def cte(match: re.Match) -> str:
        request = Request.parse(match)
        if not plain:
            choices.extend(request.choices())
        text = request.base_sql() if plain else request.rollup_sql()
        after = sql[match.end() :].lstrip()
        return text if after.lower().startswith("select") else text + ","

    return MEASURES_LINE.sub(cte, sql), choices
