"""Facts and their sum-and-count measures, declared once (the queries' `-- Measures:` CTEs are
generated from them by store.generate, in a rollup form and a base form).

A fact names its base view (one row per fact, every filter column on it), its measures (each with
its formula over the summed rollup columns and its aggregate over the facts) and its rollup tables
with their grain, smallest first. The ticket rollups' columns are generated from the same
declaration (`model_columns`), so a ticket count is written once: its aggregate over `ticket_facts`.

Every sidebar selection is one clause, `($regions is null or list_contains($regions, f.region))`,
written by `selected` from the catalogue's column for it: nothing here pastes a value into SQL.
"""

from __future__ import annotations

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
    counted: bool = False  # a count, not a sum of values: its sums of sums are BIGINT (facts.sums_of_sums)
    # the sum itself is the measure (null when no fact has a value): a month's sum less its outside
    # days' would say 0 where the period's days hold no value (store.generate, Request._subtracts)
    bare: bool = False


def count(column: str, expr: str) -> Agg:
    """A count kept as a rollup column: the sum of the column, or the count over the facts."""
    return Agg(
        f"cast(coalesce(s.{column}, 0) as bigint)", f"cast(coalesce({expr}, 0) as bigint)", (column,), expr, True
    )


def total(column: str, expr: str) -> Agg:
    """A sum kept as a rollup column (null when no fact has a value)."""
    return Agg(f"s.{column}", expr, (column,), expr, bare=True)


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


# The columns a rollup's brief twins sum over (Rollup.brief_months): the survey's channel and segment.
BRIEF = frozenset({"channel", "segment"})


@dataclass(frozen=True)
class Rollup:
    """A rollup table of a fact: branch x day (column `date` of the fact) x its `grain` columns, with
    a column per measure it holds (`columns`; None: every rollup column of the fact)."""

    table: str
    grain: frozenset[str] = frozenset()
    months: str | None = None  # its branch x month twin: month_start, month_end, the same columns
    columns: frozenset[str] | None = None
    # its network x month twin (the month twin summed over the branches, no branch_id): read for the
    # whole months when no branch, region or branch type is selected and the keys need no branch
    network: str | None = None
    # a count of its facts, at least 1 on every row: the groups a cut month's outside days empty are
    # left out by it (store.generate, Request._subtracts); None: its cut months are read day by day
    rows: str | None = None
    # a CTE holding the period's days and whole months alone (a fragment's, filtered by $start and
    # $end): no cut month's row or outside day to subtract, its cut months read day by day
    period_only: bool = False
    # its month twin and network twin summed over channel and segment (BRIEF; the models generated
    # by store.rollups): the month rows read when neither is selected and no key needs them. A year
    # of 100 branches' Cronbach's alpha sums is 745,000 month rows, 32,000 summed so (10 M tickets).
    brief_months: str | None = None
    brief_network: str | None = None

    def brief(self, keys: set[str]) -> bool:
        """Whether rows with `keys` (and the sums) can come from the brief twins: it has them and no
        key is a column they sum over."""
        return self.brief_months is not None and not keys & BRIEF

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
        "complaints": count("complaints", f"count(case when {complaint} then 1 end)"),
        "compliments": count("compliments", "count(case when f.kind = 'compliment' then 1 end)"),
        "responded_n": count("responded_n", f"count(case when {complaint} then f.first_response_minutes end)"),
        "first_response_within_target": count(
            "first_response_within_target",
            f"count(case when {complaint} and f.first_response_judged_minutes <= f.first_response_target then 1 end)",
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
            f"count(case when {complaint} and f.resolution_judged_minutes <= f.resolution_target then 1 end)",
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
        "reopened": count("reopened", f"count(case when {complaint} and f.reopened_count > 0 then 1 end)"),
        "reopened_n": count("reopened_n", f"count(case when {complaint} then f.reopened_count end)"),
        "escalated": count("escalated", f"count(case when {complaint} and f.escalated then 1 end)"),
        "escalated_n": count("escalated_n", f"count(case when {complaint} then f.escalated end)"),
        "satisfaction_n": count("satisfaction_n", f"count(case when {complaint} then f.satisfaction end)"),
        "satisfaction_sum": total("satisfaction_sum", f"sum(case when {complaint} then f.satisfaction end)"),
        "satisfied": count("satisfied", f"count(case when {complaint} and f.satisfaction >= 4 then 1 end)"),
    }
    for score in range(1, 6):
        name = f"satisfaction_{score}"
        measures[name] = count(name, f"count(case when {complaint} and f.satisfaction = {score} then 1 end)")
    for family in ("product", "service"):
        name = f"{family}_complaints"
        measures[name] = count(name, f"count(case when {complaint} and f.family = '{family}' then 1 end)")
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


def _survey_rollup(table: str, months: str, *keys: str, network: str | None = None, rows: str | None = None) -> Rollup:
    """A survey rollup: branch x day x channel x segment x `keys`, its month twin `months`, and the
    brief twins of those (named after it: `_brief_months`, `_brief_network_months` with a network
    twin)."""
    return Rollup(
        table,
        frozenset({"channel", "segment", *keys}),
        months,
        network=network,
        rows=rows,
        brief_months=months.replace("_months", "_brief_months"),
        brief_network=network and months.replace("_months", "_brief_network_months"),
    )


# The survey sums per branch and day (and month): the responses' and the respondent gaps' first rollup.
_SURVEY_DAYS = _survey_rollup("rollup_survey_days", "rollup_survey_months", rows="responses")


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
        # the same respondents' perception: the mean of their component perceptions
        "mean_perception": mean("gap_n", "sum_xp", "f.perception", "respondent_scale"),
        "sd_perception": sd("gap_n", "sum_xp", "sum_xpxp", "f.perception", "respondent_scale"),
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
                Rollup("rollup_ticket_days", rows="tickets"),
                Rollup(
                    "rollup_ticket_channels", frozenset({"channel"}), "rollup_ticket_channel_months", rows="tickets"
                ),
                Rollup(
                    "rollup_ticket_segments", frozenset({"segment"}), "rollup_ticket_segment_months", rows="tickets"
                ),
                # complaints only, per category (and its branch x month twin)
                Rollup(
                    "rollup_ticket_categories",
                    frozenset({"category"}),
                    "rollup_complaint_category_months",
                    frozenset({"complaints"}),
                    rows="complaints",
                ),
                Rollup("rollup_ticket_cells", _CELL, "rollup_ticket_cell_months", rows="tickets"),
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
            (_SURVEY_DAYS,),
        ),
        Fact(
            "respondent_gaps",
            "base_respondent_gaps",
            "submitted_on",
            (*_RESPONSE_SELECTIONS, "components"),
            _respondent_gap_measures(),
            (
                _SURVEY_DAYS,
                # a CTE of queries/fragments/respondent_gaps.sql: the gaps over the selected components
                Rollup(
                    "component_gap_days",
                    frozenset({"channel", "segment"}),
                    "component_gap_months",
                    rows="gap_n",
                    period_only=True,
                ),
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
                _survey_rollup("rollup_rater_days", "rollup_rater_months", "rater_group", rows="n"),
                # a CTE of queries/fragments/rater_groups.sql: the group means over the selected components
                Rollup(
                    "rater_component_days",
                    frozenset({"channel", "segment", "rater_group"}),
                    "rater_component_months",
                    rows="n",
                    period_only=True,
                ),
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
            (_survey_rollup("rollup_importance_days", "rollup_importance_months", "component_key", rows="n"),),
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
            (_survey_rollup("rollup_weighted_component_days", "rollup_weighted_component_months", "component_key"),),
        ),
        # Cronbach's alpha: item scores split by how many items of the component the respondent answered
        Fact(
            "item_scores",
            "item_scores",
            "submitted_on",
            _RESPONSE_SELECTIONS,
            _item_measures(),
            (
                _survey_rollup(
                    "rollup_item_days",
                    "rollup_item_months",
                    "component_key",
                    "item",
                    "n_items",
                    network="rollup_item_network_months",
                    rows="n",
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
                _survey_rollup(
                    "rollup_item_totals",
                    "rollup_item_total_months",
                    "component_key",
                    "n_items",
                    network="rollup_item_total_network_months",
                    rows="n",
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
                _survey_rollup(
                    "rollup_component_days",
                    "rollup_component_months",
                    "component_key",
                    network="rollup_component_network_months",
                    rows="n",
                ),
            ),
        ),
    )
}


def model_columns(fact: str) -> str:
    """The rollup columns of a fact whose rollups are generated: each column's aggregate over `f`."""
    return ",\n".join(f"{agg.model} as {agg.sums[0]}" for agg in FACTS[fact].measures.values() if agg.model)


def sums_of_sums(fact: str) -> str:
    """The same columns summed over a rollup's finer rows `d`: a day rollup from the cells, a month
    twin from its day table. A count stays a BIGINT (a month of one branch's tickets fits), a sum of
    values is the sum of the sums."""
    columns = [agg.sums[0] for agg in FACTS[fact].measures.values() if agg.model]
    counted = {agg.sums[0] for agg in FACTS[fact].measures.values() if agg.counted}
    return ",\n".join(f"cast(sum(d.{c}) as bigint) as {c}" if c in counted else f"sum(d.{c}) as {c}" for c in columns)
