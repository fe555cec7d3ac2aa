"""Facts and their sum-and-count measures, declared once; the queries' `-- Measures:` CTEs are
generated from them in two forms.

A query file says, inside its `with` clause,

    -- Measures: counted = tickets by month: complaints

and store.runner replaces that line with a CTE `counted` holding one row per month (the keys after
`by`; none: one row) and a column per measure named after the second colon. The CTE comes in two
forms from the one declaration below:

- the **rollup form** (what the pages run) sums the fact's rollup columns: the whole months of the
  period from its month table (if it has one) and the days of the months the period cuts from its
  day table, or every day of the period from the day table; a selection the day table cannot
  filter switches to its finer twin (store.runner's "-- Rollup choice:"). Means and standard
  deviations are rebuilt from the sums (scaled integers for the survey, see store.rollups);
- the **base form** (the tests' oracle) aggregates the fact's base view row by row: `count`,
  `sum`, `avg` and `stddev_samp` over the facts themselves, with no rollup and no period split.

Equal rows from the two forms under every filter scenario (tests/store/test_rollups.py) is the
proof that the rollups, their month/day split and the sum formulas are right. The ticket rollups'
columns are generated from the same declaration (`model_columns`), so a ticket count is written
once: its aggregate over `ticket_facts`.

Every sidebar selection is one clause, `($regions is null or list_contains($regions, f.region))`,
written by `selected` from the catalogue's column for it: nothing here pastes a value into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from servicequality import catalog


def selected(selection: str, column: str) -> str:
    """The one filter clause of a sidebar selection: all rows when nothing is selected."""
    return f"(${selection} is null or list_contains(${selection}, {column}))"


@dataclass(frozen=True)
class Agg:
    """One measure: its formula over the summed rollup columns (`s.<column>`, and `st`, the
    rollup_settings row) and its aggregate over the fact rows (`f.<column>`)."""

    rollup: str
    base: str
    sums: tuple[str, ...]  # the rollup columns the rollup formula reads, summed
    model: str | None = None  # the rollup column's own aggregate over the facts (generated rollups)


def count(column: str, expr: str) -> Agg:
    """A count kept as a rollup column: the sum of the column, or the count over the facts."""
    return Agg(f"cast(coalesce(s.{column}, 0) as bigint)", f"cast(coalesce({expr}, 0) as bigint)", (column,), expr)


def total(column: str, expr: str) -> Agg:
    """A sum kept as a rollup column (null when no fact has a value)."""
    return Agg(f"s.{column}", expr, (column,), expr)


def ratio(column: str, n: str, value: str) -> Agg:
    """A mean of an unscaled value from its sum and count kept as rollup columns."""
    return Agg(f"cast(s.{column} as double) / nullif(s.{n}, 0)", f"avg({value})", (column, n))


def mean(n: str, column: str, value: str, scale: str = "gap_scale") -> Agg:
    """A mean of a survey value from its scaled sum: sum / (n * scale); the scale is rollup_settings'
    gap_scale for component means, respondent_scale for a respondent's means over components (see
    store.rollups)."""
    return Agg(f"cast(s.{column} as double) / (nullif(s.{n}, 0) * st.{scale})", f"avg({value})", (n, column))


def sd(n: str, column: str, squares: str, value: str, scale: str = "gap_scale") -> Agg:
    """A sample standard deviation from scaled sums: sqrt((n S2 - S1^2) / (n (n - 1))) / scale."""
    return Agg(
        f"case when s.{n} > 1 then sqrt(cast(s.{n} * s.{squares} - s.{column} * s.{column} as double) "
        f"/ (s.{n} * (s.{n} - 1))) / st.{scale} end",
        f"stddev_samp({value})",
        (n, column, squares),
    )


def variance(n: str, column: str, squares: str, value: str) -> Agg:
    """A sample variance from integer sums: (n S2 - S1^2) / (n (n - 1)), null below two values."""
    return Agg(
        f"case when s.{n} > 1 then cast(s.{n} * s.{squares} - s.{column} * s.{column} as double) "
        f"/ (s.{n} * (s.{n} - 1)) end",
        f"var_samp({value})",
        (n, column, squares),
    )


def _item_measures() -> dict[str, Agg]:
    return {
        "n": count("n", "count(*)"),
        "perception_var": variance("n", "sp", "spp", "f.perception"),
        "expectation_var": variance("n", "se", "see", "f.expectation"),
        "gap_var": variance("n", "sg", "sgg", "f.gap"),
    }


@dataclass(frozen=True)
class Rollup:
    """A rollup table of a fact: branch x day (column `date` of the fact) x its `grain` columns, with
    a column per measure it holds (`columns`; None: every rollup column of the fact)."""

    table: str
    grain: frozenset[str] = frozenset()
    months: str | None = None  # its branch x month twin: month_start, month_end, the same columns
    columns: frozenset[str] | None = None

    def holds(self, columns: set[str], sums: set[str]) -> bool:
        return columns <= self.grain and (self.columns is None or sums <= self.columns)


@dataclass(frozen=True)
class Fact:
    """A fact table: its base view (one row per fact, every filter column on it), its date column,
    its measures and its rollups, smallest first: a query reads the first whose grain holds its keys,
    and the first whose grain holds every selection when one outside the former's grain is set."""

    name: str
    base: str  # a view, or a subquery in parentheses
    date: str
    selections: tuple[str, ...]  # the sidebar selections that filter it
    measures: dict[str, Agg]
    rollups: tuple[Rollup, ...]
    # columns whose selection the base relation and the finest rollup apply themselves (a component
    # selection changes which components a respondent's overall gap averages)
    applied: frozenset[str] = frozenset()


def _ticket_measures() -> dict[str, Agg]:
    complaint = "f.kind = 'complaint'"
    measures = {
        "tickets": count("tickets", "count(*)"),
        "complaints": count("complaints", f"sum(case when {complaint} then 1 else 0 end)"),
        "responded_n": count("responded_n", f"count(case when {complaint} then f.first_response_minutes end)"),
        "first_response_within_target": count(
            "first_response_within_target",
            f"sum(case when {complaint} and f.first_response_judged_minutes <= f.first_response_target "
            "then 1 else 0 end)",
        ),
        "targeted_first_n": count(
            "targeted_first_n",
            f"count(case when {complaint} and f.first_response_target is not null "
            "then f.first_response_judged_minutes end)",
        ),
        "awaiting_first_n": count(
            "awaiting_first_n", f"count(case when {complaint} then f.first_response_open_minutes end)"
        ),
        "late_awaiting_first_n": count(
            "late_awaiting_first_n",
            f"count(case when {complaint} and f.first_response_open_minutes > f.first_response_target then 1 end)",
        ),
        "resolved_n": count("resolved_n", f"count(case when {complaint} then f.resolution_minutes end)"),
        "resolution_within_target": count(
            "resolution_within_target",
            f"sum(case when {complaint} and f.resolution_judged_minutes <= f.resolution_target then 1 else 0 end)",
        ),
        "targeted_resolution_n": count(
            "targeted_resolution_n",
            f"count(case when {complaint} and f.resolution_target is not null then f.resolution_judged_minutes end)",
        ),
        "still_open_n": count("still_open_n", f"count(case when {complaint} then f.resolution_open_minutes end)"),
        "late_open_n": count(
            "late_open_n",
            f"count(case when {complaint} and f.resolution_open_minutes > f.resolution_target then 1 end)",
        ),
        "reopened": count("reopened", f"sum(case when {complaint} and f.reopened_count > 0 then 1 else 0 end)"),
        "reopened_n": count("reopened_n", f"count(case when {complaint} then f.reopened_count end)"),
        "escalated": count("escalated", f"sum(case when {complaint} and f.escalated then 1 else 0 end)"),
        "escalated_n": count("escalated_n", f"count(case when {complaint} then f.escalated end)"),
        "satisfaction_n": count("satisfaction_n", f"count(case when {complaint} then f.satisfaction end)"),
        "satisfaction_sum": total("satisfaction_sum", f"sum(case when {complaint} then f.satisfaction end)"),
        "satisfied": count("satisfied", f"sum(case when {complaint} and f.satisfaction >= 4 then 1 else 0 end)"),
    }
    for score in range(1, 6):
        name = f"satisfaction_{score}"
        measures[name] = count(name, f"sum(case when {complaint} and f.satisfaction = {score} then 1 else 0 end)")
    for family in ("product", "service"):
        name = f"{family}_complaints"
        measures[name] = count(name, f"sum(case when {complaint} and f.family = '{family}' then 1 else 0 end)")
    measures["mean_satisfaction"] = ratio(
        "satisfaction_sum", "satisfaction_n", f"case when {complaint} then f.satisfaction end"
    )
    return measures


def _response_measures() -> dict[str, Agg]:
    return {
        "responses": count("responses", "count(*)"),
        "csat_n": count("csat_n", "count(f.overall_satisfaction)"),
        "csat_satisfied": count("csat_satisfied", "sum(case when f.overall_satisfaction >= 4 then 1 else 0 end)"),
        "nps_n": count("nps_n", "count(f.nps)"),
        "promoters": count("promoters", "sum(case when f.nps >= 9 then 1 else 0 end)"),
        "detractors": count("detractors", "sum(case when f.nps <= 6 then 1 else 0 end)"),
        # the respondent's overall gap, scaled by respondent_scale in the rollup (store.rollups)
        "gap_n": count("gap_n", "count(f.gap)"),
        "mean_gap": Agg(
            "cast(s.sum_x as double) / (nullif(s.gap_n, 0) * st.respondent_scale)", "avg(f.gap)", ("sum_x", "gap_n")
        ),
    }


def _component_measures() -> dict[str, Agg]:
    paired_msa = "f.perception_paired - f.adequate"
    paired_mss = "f.perception_paired - f.expectation_paired"
    return {
        "n": count("n", "count(f.gap)"),
        "mean_perception": mean("n", "sum_p", "f.perception"),
        "mean_expectation": mean("n", "sum_e", "f.expectation"),
        "mean_gap": mean("n", "sum_g", "f.gap"),
        "sd_gap": sd("n", "sum_g", "sum_gg", "f.gap"),
        # the adequate level and the zone of tolerance: the items with an adequate level only
        "n_adequate": count("n_a", "count(f.adequate)"),
        "mean_adequate": mean("n_a", "sum_a", "f.adequate"),
        "mean_desired_paired": mean("n_a", "sum_e_a", "f.expectation_paired"),
        "mean_perception_paired": mean("n_a", "sum_p_a", "f.perception_paired"),
        "mean_msa": mean("n_a", "sum_msa", paired_msa),
        "sd_msa": sd("n_a", "sum_msa", "sum_msa2", paired_msa),
        "mean_mss": mean("n_a", "sum_mss", paired_mss),
        "sd_mss": sd("n_a", "sum_mss", "sum_mss2", paired_mss),
    }


_RESPONSE_SELECTIONS = ("regions", "branch_types", "branches", "channels", "segments")


def _performance_measures() -> dict[str, Agg]:
    return {
        "performance_n": count("performance_n", "count(*)"),
        "mean_performance": ratio("sum_performance", "performance_n", "f.performance"),
        "satisfaction_n": count("satisfaction_n", "count(f.satisfaction)"),
        "mean_satisfaction": ratio("sum_satisfaction", "satisfaction_n", "f.satisfaction"),
    }


# A respondent's overall gap: the mean of their component gaps, over the selected components when a
# component selection is set. Both forms read CTEs of queries/fragments/respondent_gaps.sql, which the
# query includes: the base form base_respondent_gaps (from the base view), the rollup form
# rollup_survey_days or, with components selected, component_gap_days.
def _respondent_gap_measures() -> dict[str, Agg]:
    return {
        "gap_n": count("gap_n", "count(f.gap)"),
        "mean_gap": mean("gap_n", "sum_x", "f.gap", "respondent_scale"),
        "sd_gap": sd("gap_n", "sum_x", "sum_xx", "f.gap", "respondent_scale"),
    }


# A respondent's RATER group scores (Parasuraman, Zeithaml & Berry 1988): the means of their
# component scores in the group, over the selected components when some are (as base_respondent_gaps).
_RATER_GROUPS = """(
    select
        s.response_id,
        c.rater_group,
        any_value(s.branch_id) as branch_id,
        any_value(s.region) as region,
        any_value(s.branch_type) as branch_type,
        any_value(s.channel) as channel,
        any_value(s.segment) as segment,
        any_value(s.submitted_on) as submitted_on,
        avg(s.perception) as perception,
        avg(s.expectation) as expectation,
        avg(s.gap) as gap
    from response_component_scores as s
    join components as c on c.component_key = s.component_key
    where s.submitted_on between $start and $end
        and ($components is null or list_contains($components, s.component_key))
    group by s.response_id, c.rater_group
)"""


def _rater_measures() -> dict[str, Agg]:
    return {
        "n": count("n", "count(f.gap)"),
        "mean_perception": mean("n", "sum_p", "f.perception", "respondent_scale"),
        "mean_expectation": mean("n", "sum_e", "f.expectation", "respondent_scale"),
        "mean_gap": mean("n", "sum_g", "f.gap", "respondent_scale"),
        "sd_gap": sd("n", "sum_g", "sum_gg", "f.gap", "respondent_scale"),
    }


_CELL = frozenset({"channel", "segment", "category", "component_key"})

FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact(
            "tickets",
            "ticket_facts",
            "opened_on",
            catalog.SELECTIONS,
            _ticket_measures(),
            (
                Rollup("rollup_ticket_days"),
                Rollup("rollup_ticket_channels", frozenset({"channel"})),
                # complaints only, per category (and its branch x month twin)
                Rollup(
                    "rollup_ticket_categories",
                    frozenset({"category"}),
                    "rollup_complaint_category_months",
                    frozenset({"complaints"}),
                ),
                Rollup("rollup_ticket_cells", _CELL),
            ),
        ),
        Fact(
            "served",
            "customers_served_facts",
            "served_on",
            ("regions", "branch_types", "branches"),
            {"customers": total("customers", "sum(f.customers)")},
            (Rollup("customers_served"),),  # the base table is branch x day already
        ),
        Fact(
            "responses",
            "response_facts",
            "submitted_on",
            _RESPONSE_SELECTIONS,
            _response_measures(),
            (Rollup("rollup_survey_days", frozenset({"channel", "segment"})),),
        ),
        Fact(
            "respondent_gaps",
            "base_respondent_gaps",
            "submitted_on",
            (*_RESPONSE_SELECTIONS, "components"),
            _respondent_gap_measures(),
            (
                Rollup("rollup_survey_days", frozenset({"channel", "segment"})),
                # a CTE of queries/fragments/respondent_gaps.sql: the gaps over the selected components
                Rollup("component_gap_days", frozenset({"channel", "segment"})),
            ),
            applied=frozenset({"component_key"}),
        ),
        Fact(
            "rater_groups",
            _RATER_GROUPS,
            "submitted_on",
            (*_RESPONSE_SELECTIONS, "components"),
            _rater_measures(),
            (
                Rollup("rollup_rater_days", frozenset({"channel", "segment", "rater_group"})),
                # a CTE of queries/fragments/rater_groups.sql: the group means over the selected components
                Rollup("rater_component_days", frozenset({"channel", "segment", "rater_group"})),
            ),
            applied=frozenset({"component_key"}),
        ),
        Fact(
            "performance",
            "respondent_performance",
            "submitted_on",
            _RESPONSE_SELECTIONS,
            _performance_measures(),
            (Rollup("rollup_performance_days", frozenset({"channel", "segment"})),),
        ),
        Fact(
            "importance",
            "importance_shares",
            "submitted_on",
            _RESPONSE_SELECTIONS,
            {"n": count("n", "count(*)"), "mean_share": ratio("sum_share", "n", "f.share")},
            (
                Rollup(
                    "rollup_importance_days",
                    frozenset({"channel", "segment", "component_key"}),
                    "rollup_importance_months",
                ),
            ),
        ),
        Fact(
            "weighted_gaps",
            "weighted_gaps",
            "submitted_on",
            _RESPONSE_SELECTIONS,
            {
                "sum_share": total("sum_share", "sum(f.share)"),
                "sum_share_gap": total("sum_share_gap", "sum(f.share * f.gap)"),
            },
            (Rollup("rollup_weighted_component_days", frozenset({"channel", "segment", "component_key"})),),
        ),
        # Cronbach's alpha: item scores split by how many items of the component the respondent answered
        Fact(
            "item_scores",
            "item_scores",
            "submitted_on",
            _RESPONSE_SELECTIONS,
            _item_measures(),
            (
                Rollup(
                    "rollup_item_days",
                    frozenset({"channel", "segment", "component_key", "item", "n_items"}),
                    "rollup_item_months",
                ),
            ),
        ),
        Fact(
            "item_totals",
            "item_totals",
            "submitted_on",
            _RESPONSE_SELECTIONS,
            _item_measures(),
            (
                Rollup(
                    "rollup_item_totals",
                    frozenset({"channel", "segment", "component_key", "n_items"}),
                    "rollup_item_total_months",
                ),
            ),
        ),
        Fact(
            "component_scores",
            "response_component_scores",
            "submitted_on",
            ("regions", "branch_types", "branches", "channels", "segments", "components"),
            _component_measures(),
            (
                Rollup(
                    "rollup_component_days",
                    frozenset({"channel", "segment", "component_key"}),
                    "rollup_component_months",
                ),
            ),
        ),
    )
}

# Branch attributes: the rollups hold the branch id, the base views the attributes themselves.
_BRANCH_ATTRIBUTES = {"region", "branch_type"}
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
        """The fact's selection clauses on `alias`: those on branch attributes (region, branch type;
        the rollups join branches for them) with `attributes`, else the others whose column is in
        `columns` (None: all)."""
        clauses = []
        for selection in self.fact.selections:
            column = catalog.BY_SELECTION[selection].column
            if (column in _BRANCH_ATTRIBUTES) != attributes or column in self.fact.applied:
                continue
            if attributes or columns is None or column in columns:
                clauses.append(selected(selection, f"{alias}.{column}"))
        return clauses

    def _key_columns(self) -> set[str]:
        return {k for k, _ in self.keys if k not in _TIME_KEYS and k not in _BRANCH_ATTRIBUTES and k != "branch_id"}

    def _parts(self, rollup: Rollup, sums: list[str]) -> str:
        """The rows of one rollup in the period: whole months from its month table and the cut
        months' days from the day table (or every day of the period from the day table), with the
        selections its grain holds (branch attributes are filtered after the join with branches)."""
        date = self.fact.date
        carried = ["branch_id", *sorted(self._key_columns()), *sums]
        filtered = {"branch_id", *rollup.grain}
        day_month = f"cast(date_trunc('month', e.{date}) as date)"

        def part(table: str, alias: str, month: str, period: list[str]) -> str:
            columns = ", ".join([*(f"{alias}.{c}" for c in carried), f"{month} as month_start"])
            where = _AND.join([*self._clauses(alias, filtered), *period])
            return f"select {columns}\n        from {table} as {alias}\n        where {where}"

        if not rollup.months:
            return part(rollup.table, "e", day_month, [f"e.{date} between $start and $end"])
        whole_months = part(rollup.months, "m", "m.month_start", ["m.month_start >= $start and m.month_end <= $end"])
        cut_days = part(
            rollup.table,
            "e",
            day_month,
            [
                # the days of the first and last month, unless that month lies wholly inside
                f"(e.{date} between $start and last_day(cast($start as date))"
                f" or e.{date} between cast(date_trunc('month', cast($end as date)) as date) and $end)",
                f"e.{date} between $start and $end",
                f"not ({day_month} >= $start and last_day(e.{date}) <= $end)",
            ],
        )
        return f"{whole_months}\n        union all\n        {cut_days}"

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

    def choice(self) -> tuple[str, str, frozenset[str]] | None:
        """(usual CTE, finer CTE, selections that need the finer one), for store.runner."""
        if self.in_cell or (self.keys and self.keys[0][0] == "cell"):
            return None  # the cells pick their rollup by bound conditions (_cell_parts)
        sums = {c for m in self.measures for c in self.fact.measures[m].sums}
        usual, finest = self.sources(sums)
        if usual == finest:
            return None
        need = frozenset(
            s
            for s in self.fact.selections
            if catalog.BY_SELECTION[s].column not in usual.grain | _BRANCH_ATTRIBUTES | {"branch_id"}
        )
        return f"{self.cte}_parts", f"{self.cte}_finer", need

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
            where = _AND.join(
                [*guard, *self._clauses("r", {"branch_id", *rollup.grain}), f"r.{date} between $start and $end"]
            )
            branches.append(
                f"select r.branch_id, r.{date}, {', '.join(columns)}, {', '.join(f'r.{c}' for c in sums)}"
                f"\n        from {rollup.table} as r\n        where {where}"
            )
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
    summed as (
        select
            {summed}
        from {self.cte}_parts as r
        join branches as b on b.branch_id = r.branch_id
        left join complaint_categories as cc on cc.category = r.category
        where {where or "true"}{group}
    )
    select
        {formulas}
    from summed as s{settings}
)"""

    def rollup_sql(self) -> str:
        """The CTE over the rollups: sums of the rollup columns, then each measure's formula."""
        measures = [self.fact.measures[m] for m in self.measures]
        sums = sorted({c for m in measures for c in m.sums})
        if self.in_cell or (self.keys and self.keys[0][0] == "cell"):
            return self._cell_sql(measures, sums)
        usual, finest = self.sources(set(sums))
        parts = f"{self.cte}_parts as (\n        {self._parts(usual, sums)}\n    )"
        if finest != usual:
            parts += f",\n    {self.cte}_finer as (\n        {self._parts(finest, sums)}\n    )"
        keys = [(_rollup_key(k), alias) for k, alias in self.keys]
        summed = _LIST.join([*(f"{e} as {a}" for e, a in keys), *(f"sum(r.{c}) as {c}" for c in sums)])
        branch_filters = _AND.join(self._clauses("b", attributes=True)) or "true"
        group = f"\n        group by {', '.join(e for e, _ in keys)}" if keys else ""
        formulas = ",\n        ".join(
            [
                *(f"s.{a}" for _, a in keys),
                *(f"{m.rollup} as {n}" for m, n in zip(measures, self.measures, strict=True)),
            ]
        )
        settings = "\n    cross join rollup_settings as st" if any("st." in m.rollup for m in measures) else ""
        return f"""{self.cte} as (
    with {parts},
    summed as (
        select
            {summed}
        from {self.cte}_parts as r
        join branches as b on b.branch_id = r.branch_id
        where {branch_filters}{group}
    )
    select
        {formulas}
    from summed as s{settings}
)"""

    def base_sql(self) -> str:
        """The CTE over the base view: each measure's aggregate over the facts themselves."""
        fact = self.fact
        keys = [(_base_key(k, fact.date), a) for k, a in self.keys]
        if self.keys and self.keys[0][0] == "cell":
            keys = [(_cell_key("dim1", 1, fact.date), "key1"), (_cell_key("dim2", 1, fact.date), "key2")]
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
_LIST = ",\n            "


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
        if not plain and (choice := request.choice()):
            choices.append(choice)
        text = request.base_sql() if plain else request.rollup_sql()
        after = sql[match.end() :].lstrip()
        return text if after.lower().startswith("select") else text + ","

    return MEASURES_LINE.sub(cte, sql), choices


def model_columns(fact: str) -> str:
    """The rollup columns of a fact whose rollups are generated: each column's aggregate over `f`."""
    return ",\n".join(f"{agg.model} as {agg.sums[0]}" for agg in FACTS[fact].measures.values() if agg.model)
