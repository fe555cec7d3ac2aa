"""Pre-aggregated tables the queries read instead of scanning every ticket and survey item.

`refresh(con)` (re)builds every `rollup_*` table from the base tables. It runs inside every
build (`store.build_atomically`: the demo and every import), so the rollups always describe
the file they are in; `python -m servicequality refresh --db PATH` rebuilds them in an
existing database (atomically, like an import).

Exactness. The queries in `queries/` must return what their plain forms return (store.runner: the
generated sums over the base views, store.facts). Counts are counts. Means and standard deviations
are rebuilt from sums, and the survey sums are *integers*: a respondent's mean over a component's k
items is (sum of scores) / k, so it is stored multiplied by `gap_scale` = the least common multiple
of every k (and of every count of adequate items) in the data, which makes it a whole number; a
respondent's overall gap (the mean over their m components) is stored multiplied by
`respondent_scale` = gap_scale times the lcm of every m. Sums and sums of squares of whole numbers
are exact (HUGEINT), so a mean is one division and a variance (n * sum(x^2) - sum(x)^2) / (n (n -
1)) is exact up to its last rounding: the results equal the plain queries' to about 1e-15 relative
(the plain ones add doubles in whatever order DuckDB's threads meet them, so they are no more exact
than that). Only importance shares (points / a respondent's total) are summed as doubles.

Grain: branch and day, so any period of whole days and any set of branches, regions or branch
types is answered exactly. The larger tables also have a branch x month twin: a query reads the
period's whole months there and only its partial first and last months from the day table (two
date ranges, so DuckDB skips the other row groups). Exact percentiles of the complaint handling
times use value buckets (see _refresh_complaint_handling).

The survey rollups' grain also holds the response's channel and segment (every answer has one of
each, and a branch-day holds a handful of responses, so they grow little): survey queries filter
channel and segment selections on the rollups themselves. A component selection changes which
components a respondent's overall (or RATER group) gap averages: those queries then average the
selected ones from rollup_response_components (respondent_scale holds every count of components up
to the largest, so any subset is still an exact integer). The ticket sums per branch and day have
a finer twin, rollup_ticket_cells (branch x day x channel x segment x category x component): a
query whose header says "-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when ..." reads
it when one of those selections is set (store.runner), and the coarse table carries those columns as
nulls so one query text filters both; the category and channel counts switch to it the same way.
The handling percentiles count a selected channel, segment, category or component over every day of
the period in rollup_complaint_handling (their month tables lack those columns); rollup_handling_values,
rollup_handling_censored and rollup_complaint_open carry the columns too. No selection falls back to
a plain form, which is the tests' and the benchmark's oracle only. Which rollup a generated query reads
is declared with the facts (store/facts.py: each fact's rollups and their grain).
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import reduce
from pathlib import Path

import duckdb

from servicequality.store import facts

# Every table this module writes; refresh drops and rebuilds them all.
TABLES = (
    "rollup_settings",
    "rollup_ticket_days",
    "rollup_ticket_cells",
    "rollup_ticket_channels",
    "rollup_ticket_categories",
    "rollup_complaint_handling",
    "rollup_handling_buckets",
    "rollup_handling_months",
    "rollup_handling_network_months",
    "rollup_handling_values",
    "rollup_handling_censored",
    "rollup_complaint_pair_months",
    "rollup_complaint_open",
    "rollup_response_components",
    "rollup_survey_days",
    "rollup_component_days",
    "rollup_respondent_gaps",
    "rollup_rater_days",
    "rollup_response_performance",
    "rollup_performance_days",
    "rollup_importance_days",
    "rollup_importance_months",
    "rollup_respondent_weighted",
    "rollup_weighted_component_days",
    "rollup_item_days",
    "rollup_item_totals",
    "rollup_item_months",
    "rollup_item_total_months",
    "rollup_component_months",
    "rollup_complaint_category_months",
    "rollup_dimension_values",
)

# Views over the rollups' settings (the scale), rebuilt with them.
VIEWS = ("response_component_means",)

MAX_SCALE = 10**12  # guard: beyond this the squared sums could overflow HUGEINT at 10^9 rows


def _lcm(values) -> int:
    return reduce(math.lcm, (int(v) for v in values if v), 1)


# Base tables whose row counts are recorded with the rollups, so a stale set can be detected.
SOURCES = (
    "branches",
    "customers_served",
    "complaint_categories",
    "service_targets",
    "components",
    "tickets",
    "survey_responses",
    "survey_scores",
    "survey_importance",
)


def source_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    # Table names from the constant above, never from input.
    return {t: con.execute("select count(*) from " + t).fetchone()[0] for t in SOURCES}


def definition() -> str:
    """A fingerprint of the code that builds the rollups (this file and the views of schema.sql they
    read): a file built by other code is stale."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((Path(__file__).parent / "schema.sql").read_bytes())
    digest.update((Path(__file__).parent / "facts.py").read_bytes())
    return digest.hexdigest()


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every rollup exists, was built by this code, from base tables of today's row counts.

    Every write goes through store.build_atomically, which refreshes, so this only guards
    files written by older versions or by hand."""
    if not has_rollups(con):
        return False
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_name = 'rollup_settings'"
        ).fetchall()
    }
    if "definition" not in columns:
        return False
    recorded, built_by = con.execute("select source_counts, definition from rollup_settings").fetchone()
    return built_by == definition() and recorded == json.dumps(source_counts(con), sort_keys=True)


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every rollup table from the base tables (inside the caller's transaction)."""
    con.execute("set enable_progress_bar = false")
    counts = json.dumps(source_counts(con), sort_keys=True)
    for view in VIEWS:
        con.execute("drop view if exists " + view)  # names from the constants here
    for table in TABLES:
        con.execute("drop table if exists " + table)

    # The item counts per response and component fix the scale: every count k of a component's items
    # (and of its items with an adequate level) must divide gap_scale.
    counts_per_component = (
        "select count(*) as k, count(sc.adequate) as ka from servqual_scores as sc "
        "group by sc.response_id, sc.component_key"
    )
    pairs = con.execute("select distinct k, ka from (" + counts_per_component + ")").fetchall()
    gap_scale = _lcm([k for k, _ in pairs] + [ka for _, ka in pairs])
    # Any m components of a respondent may be averaged (the overall gap, a RATER group, the
    # components selected in the sidebar): the scale takes every count up to the largest m.
    most = con.execute(
        "select coalesce(max(m), 1) from (select count(distinct component_key) as m from servqual_scores "
        "group by response_id)"
    ).fetchone()[0]
    respondent_scale = gap_scale * _lcm(range(1, most + 1))
    if respondent_scale > MAX_SCALE:
        raise ValueError(f"Survey item counts give a scale of {respondent_scale}; rollups need at most {MAX_SCALE}.")
    con.execute(
        "create table rollup_settings as select cast($g as bigint) as gap_scale, "
        "cast($r as bigint) as respondent_scale, cast($c as varchar) as source_counts, "
        "cast($d as varchar) as definition",
        {"g": gap_scale, "r": respondent_scale, "c": counts, "d": definition()},
    )

    # Per response and component, scaled: p = mean perception * gap_scale, and so on (whole numbers).
    # A view (the plain form of the queries that read its materialisation, "-- Oracle:") and its rows
    # stored in date order.
    con.execute(
        """
        create view response_component_means as
        with rc as (
            select
                sc.response_id,
                sc.component_key,
                count(*) as k,
                count(sc.adequate) as ka,
                sum(sc.perception) as sum_p,
                sum(sc.expectation) as sum_e,
                sum(sc.adequate) as sum_a,
                -- the zone of tolerance pairs item by item: P and E of the items with an adequate level
                sum(case when sc.adequate is not null then sc.perception end) as sum_pa,
                sum(case when sc.adequate is not null then sc.expectation end) as sum_ea
            from servqual_scores as sc
            group by sc.response_id, sc.component_key
        )
        select
            r.branch_id,
            cast(r.submitted_at as date) as submitted_on,
            r.channel,
            r.segment,
            r.response_id,
            rc.component_key,
            cast(rc.sum_p * (st.gap_scale // rc.k) as bigint) as p,
            cast(rc.sum_e * (st.gap_scale // rc.k) as bigint) as e,
            case when rc.ka > 0 then cast(rc.sum_a * (st.gap_scale // rc.ka) as bigint) end as a,
            case when rc.ka > 0 then cast(rc.sum_pa * (st.gap_scale // rc.ka) as bigint) end as pa,
            case when rc.ka > 0 then cast(rc.sum_ea * (st.gap_scale // rc.ka) as bigint) end as ea
        from rc
        join survey_responses as r on r.response_id = rc.response_id
        cross join rollup_settings as st
        """
    )
    con.execute(
        "create table rollup_response_components as select * from response_component_means "
        "order by submitted_on, branch_id"
    )

    con.execute(
        """
        create table rollup_component_days as
        select
            branch_id,
            submitted_on,
            channel,
            segment,
            component_key,
            count(*) as n,
            sum(p) as sum_p,
            sum(e) as sum_e,
            sum(p - e) as sum_g,
            sum((p - e) * (p - e)) as sum_gg,
            count(a) as n_a,
            sum(a) as sum_a,
            sum(pa) as sum_p_a,
            sum(ea) as sum_e_a,
            sum(pa - a) as sum_msa,
            sum((pa - a) * (pa - a)) as sum_msa2,
            sum(pa - ea) as sum_mss,
            sum((pa - ea) * (pa - ea)) as sum_mss2
        from rollup_response_components
        group by branch_id, submitted_on, channel, segment, component_key
        order by submitted_on, branch_id, component_key
        """
    )

    # Per respondent with scores: the overall gap (mean of the component gaps), scaled exactly,
    # and rounded to 9 decimals as the Kruskal-Wallis queries rank it.
    con.execute(
        """
        create table rollup_respondent_gaps as
        select
            submitted_on,
            branch_id,
            channel,
            segment,
            response_id,
            cast(sum(p - e) * ($r // ($g * count(*))) as bigint) as x,
            round(sum(p - e) / ($g * count(*)), 9) as gap_key
        from rollup_response_components
        group by submitted_on, branch_id, channel, segment, response_id
        order by submitted_on, branch_id
        """,
        {"g": gap_scale, "r": respondent_scale},
    )

    # Per RATER group (Parasuraman, Zeithaml & Berry 1988): a respondent's group P, E and gap are the
    # means of their component scores in the group, scaled by respondent_scale (exact integers).
    con.execute(
        """
        create table rollup_rater_days as
        with groups as (
            select
                rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, c.rater_group,
                cast(sum(rc.p) * ($r // ($g * count(*))) as bigint) as p,
                cast(sum(rc.e) * ($r // ($g * count(*))) as bigint) as e
            from rollup_response_components as rc
            join components as c on c.component_key = rc.component_key
            group by rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, c.rater_group
        )
        select
            branch_id, submitted_on, channel, segment, rater_group,
            count(*) as n,
            sum(p) as sum_p,
            sum(e) as sum_e,
            sum(p - e) as sum_g,
            sum(cast(p - e as hugeint) * (p - e)) as sum_gg
        from groups
        group by branch_id, submitted_on, channel, segment, rater_group
        order by submitted_on, branch_id, rater_group
        """,
        {"g": gap_scale, "r": respondent_scale},
    )

    con.execute(
        """
        create table rollup_survey_days as
        select
            r.branch_id,
            cast(r.submitted_at as date) as submitted_on,
            r.channel,
            r.segment,
            count(*) as responses,
            count(r.overall_satisfaction) as csat_n,
            sum(case when r.overall_satisfaction >= 4 then 1 else 0 end) as csat_satisfied,
            count(r.nps) as nps_n,
            sum(case when r.nps >= 9 then 1 else 0 end) as promoters,
            sum(case when r.nps <= 6 then 1 else 0 end) as detractors,
            count(g.x) as gap_n,
            sum(g.x) as sum_x,
            sum(cast(g.x as hugeint) * g.x) as sum_xx
        from survey_responses as r
        left join rollup_respondent_gaps as g on g.response_id = r.response_id
        group by r.branch_id, cast(r.submitted_at as date), r.channel, r.segment
        order by submitted_on, r.branch_id
        """
    )

    # Survey performance per response and component, materialised: the view response_component_performance
    # (percent of maximum possible from every rated item) stored in date order, so the performance
    # queries read one row per respondent and component of their period instead of aggregating every
    # item score. Their plain form is the same text on the view ("-- Oracle:" in their header).
    con.execute(
        "create table rollup_response_performance as "
        "select * from response_component_performance order by submitted_on, branch_id, component_key"
    )

    # Survey performance (percent of maximum possible, any survey, with or without expectations) per
    # branch, day, channel and segment: each rated respondent's overall performance (the mean of their
    # component performances) summed, and the satisfaction answers (0-100) of those respondents. Doubles:
    # the sums agree with the plain query's to the last bits, not exactly.
    con.execute(
        """
        create table rollup_performance_days as
        with respondent as (
            select
                p.response_id, any_value(p.branch_id) as branch_id, any_value(p.submitted_on) as submitted_on,
                any_value(p.channel) as channel, any_value(p.segment) as segment, avg(p.performance) as performance
            from rollup_response_performance as p
            group by p.response_id
        )
        select
            r.branch_id, r.submitted_on, r.channel, r.segment,
            count(*) as performance_n,
            sum(r.performance) as sum_performance,
            count(a.satisfaction) as satisfaction_n,
            sum(a.satisfaction) as sum_satisfaction
        from respondent as r
        left join response_answers as a on a.response_id = r.response_id
        group by r.branch_id, r.submitted_on, r.channel, r.segment
        order by r.submitted_on, r.branch_id
        """
    )

    # The weighted SERVQUAL score respondent by respondent: each respondent's gaps weighted by
    # their own importance points, normalised over the components that have both a gap and
    # points (Zeithaml, Parasuraman & Berry 1990). Per respondent the weighted gap; per branch,
    # day and component the sums of the shares and of share x gap (the component's part).
    con.execute(
        """
        create temporary table tmp_weighted as
        with pairs as (
            select rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, rc.component_key,
                   cast(i.points as double) as points, cast(rc.p - rc.e as double) / $g as gap
            from rollup_response_components as rc
            join survey_importance as i on i.response_id = rc.response_id and i.component_key = rc.component_key
        ),
        totals as (
            select response_id, sum(points) as total from pairs group by response_id having sum(points) > 0
        )
        select p.branch_id, p.submitted_on, p.channel, p.segment, p.response_id, p.component_key,
               p.points / t.total as share, p.gap
        from pairs as p
        join totals as t on t.response_id = p.response_id
        """,
        {"g": gap_scale},
    )
    con.execute(
        """
        create table rollup_respondent_weighted as
        select branch_id, submitted_on, channel, segment, response_id, sum(share * gap) as weighted_gap
        from tmp_weighted
        group by branch_id, submitted_on, channel, segment, response_id
        order by submitted_on, branch_id
        """
    )
    con.execute(
        """
        create table rollup_weighted_component_days as
        select branch_id, submitted_on, channel, segment, component_key,
               sum(share) as sum_share, sum(share * gap) as sum_share_gap
        from tmp_weighted
        group by branch_id, submitted_on, channel, segment, component_key
        order by submitted_on, branch_id, component_key
        """
    )
    con.execute("drop table tmp_weighted")

    # Importance: each respondent's points as shares of their total (respondents with a total > 0).
    con.execute(
        """
        create table rollup_importance_days as
        with points as (
            select i.response_id, i.component_key, i.points, r.branch_id,
                   cast(r.submitted_at as date) as submitted_on, r.channel, r.segment
            from survey_importance as i
            join survey_responses as r on r.response_id = i.response_id
        ),
        totals as (
            select response_id, sum(points) as total_points
            from points
            group by response_id
            having sum(points) > 0
        )
        select p.branch_id, p.submitted_on, p.channel, p.segment, p.component_key, count(*) as n,
               sum(p.points / t.total_points) as sum_share
        from points as p
        join totals as t on t.response_id = p.response_id
        group by p.branch_id, p.submitted_on, p.channel, p.segment, p.component_key
        order by p.submitted_on, p.branch_id, p.component_key
        """
    )
    con.execute(
        """
        create table rollup_importance_months as
        select
            cast(date_trunc('month', d.submitted_on) as date) as month_start,
            last_day(d.submitted_on) as month_end,
            d.branch_id, b.region, b.branch_type, d.channel, d.segment, d.component_key,
            sum(d.n) as n,
            sum(d.sum_share) as sum_share
        from rollup_importance_days as d
        join branches as b on b.branch_id = d.branch_id
        group by cast(date_trunc('month', d.submitted_on) as date), last_day(d.submitted_on), d.branch_id, b.region,
            b.branch_type, d.channel, d.segment, d.component_key
        order by month_start, d.branch_id, d.component_key
        """
    )

    # Cronbach's alpha: item score sums per item, split by how many items the respondent
    # answered in that component (the query keeps those with all k items seen in the filter).
    # Each respondent's item count and sums per component once, for both tables below (a join
    # costs about half the CPU of a window count over every score at 46M scores).
    con.execute(
        """
        create temporary table tmp_item_respondents as
        select sc.response_id, sc.component_key, count(*) as n_items,
               sum(sc.perception) as p, sum(sc.expectation) as e,
               sum(sc.perception - sc.expectation) as g
        from servqual_scores as sc
        group by sc.response_id, sc.component_key
        """
    )
    con.execute(
        """
        create table rollup_item_days as
        select
            r.branch_id, cast(r.submitted_at as date) as submitted_on, r.channel, r.segment, sc.component_key, sc.item,
            x.n_items,
            count(*) as n,
            cast(sum(sc.perception) as bigint) as sp,
            cast(sum(sc.perception * sc.perception) as bigint) as spp,
            cast(sum(sc.expectation) as bigint) as se,
            cast(sum(sc.expectation * sc.expectation) as bigint) as see,
            cast(sum(sc.perception - sc.expectation) as bigint) as sg,
            cast(sum((sc.perception - sc.expectation) * (sc.perception - sc.expectation)) as bigint) as sgg
        from servqual_scores as sc
        join tmp_item_respondents as x on x.response_id = sc.response_id and x.component_key = sc.component_key
        join survey_responses as r on r.response_id = sc.response_id
        group by r.branch_id, cast(r.submitted_at as date), r.channel, r.segment, sc.component_key, sc.item, x.n_items
        order by submitted_on, r.branch_id, sc.component_key, sc.item
        """
    )
    con.execute(
        """
        create table rollup_item_totals as
        select
            r.branch_id, cast(r.submitted_at as date) as submitted_on, r.channel, r.segment, x.component_key, x.n_items,
            count(*) as n,
            cast(sum(x.p) as bigint) as sp, cast(sum(x.p * x.p) as bigint) as spp,
            cast(sum(x.e) as bigint) as se, cast(sum(x.e * x.e) as bigint) as see,
            cast(sum(x.g) as bigint) as sg, cast(sum(x.g * x.g) as bigint) as sgg
        from tmp_item_respondents as x
        join survey_responses as r on r.response_id = x.response_id
        group by r.branch_id, cast(r.submitted_at as date), r.channel, r.segment, x.component_key, x.n_items
        order by submitted_on, r.branch_id, x.component_key
        """
    )
    con.execute("drop table tmp_item_respondents")
    # Month grain beside the day grain: a query reads the whole months of its period here and
    # only the days of the (at most two) months the period cuts from the day tables, about 30x
    # fewer rows (queries/component_*.sql). month_end = the month's last day, so a month lies in
    # the period when month_start >= $start and month_end <= $end. The item sums stay BIGINT:
    # scores are 1-7, so even 10^9 rows sum far below 2^63, and a cast overflow would raise.
    for source, target, keys in (
        ("rollup_item_days", "rollup_item_months", "channel, segment, component_key, item, n_items"),
        ("rollup_item_totals", "rollup_item_total_months", "channel, segment, component_key, n_items"),
    ):
        # Table and column names from the constants above, never from input.
        con.execute(
            "create table " + target + " as select branch_id, "
            "cast(date_trunc('month', submitted_on) as date) as month_start, "
            "last_day(submitted_on) as month_end, " + keys + ", "
            "cast(sum(n) as bigint) as n, cast(sum(sp) as bigint) as sp, cast(sum(spp) as bigint) as spp, "
            "cast(sum(se) as bigint) as se, cast(sum(see) as bigint) as see, "
            "cast(sum(sg) as bigint) as sg, cast(sum(sgg) as bigint) as sgg "
            "from " + source + " group by all order by month_start, branch_id, " + keys
        )
    con.execute(
        """
        create table rollup_component_months as
        select
            branch_id,
            cast(date_trunc('month', submitted_on) as date) as month_start,
            last_day(submitted_on) as month_end,
            channel,
            segment,
            component_key,
            cast(sum(n) as bigint) as n,
            sum(sum_p) as sum_p,
            sum(sum_e) as sum_e,
            sum(sum_g) as sum_g,
            sum(sum_gg) as sum_gg,
            cast(sum(n_a) as bigint) as n_a,
            sum(sum_a) as sum_a,
            sum(sum_p_a) as sum_p_a,
            sum(sum_e_a) as sum_e_a,
            sum(sum_msa) as sum_msa,
            sum(sum_msa2) as sum_msa2,
            sum(sum_mss) as sum_mss,
            sum(sum_mss2) as sum_mss2
        from rollup_component_days
        group by all
        order by month_start, branch_id, component_key
        """
    )
    # Complaints per branch, month and category (rollup_ticket_categories by month; counted from
    # the tickets here because that day table is built further down).
    con.execute(
        """
        create table rollup_complaint_category_months as
        select
            t.branch_id,
            cast(date_trunc('month', t.opened_at) as date) as month_start,
            last_day(cast(t.opened_at as date)) as month_end,
            t.category,
            count(*) as complaints
        from tickets as t
        where t.kind = 'complaint'
        group by all
        order by month_start, t.branch_id, t.category
        """
    )

    # Tickets per branch and day; complaint handling counts as in ticket_facts.
    # The sums per branch and day, and the same per branch, day, channel, segment and category
    # (rollup_ticket_cells: the queries switch to it when one of those is selected, see
    # store.runner's "-- Rollup choice:" header). The day table carries the cell columns as nulls,
    # so one query text filters either table.
    ticket_sums = facts.model_columns("tickets")  # each count written once, in store/facts.py
    con.execute(
        "create table rollup_ticket_days as select f.branch_id, f.opened_on, "
        "cast(null as varchar) as channel, cast(null as varchar) as segment, cast(null as varchar) as category, "
        "cast(null as varchar) as component_key, "
        + ticket_sums
        + " from ticket_facts as f group by f.branch_id, f.opened_on order by f.opened_on, f.branch_id"
    )
    con.execute(
        "create table rollup_ticket_cells as select f.branch_id, f.opened_on, f.channel, f.segment, "
        "f.category, f.component_key, "
        + ticket_sums
        + " from ticket_facts as f group by f.branch_id, f.opened_on, f.channel, f.segment, f.category, "
        "f.component_key order by f.opened_on, f.branch_id"
    )
    con.execute(
        "create table rollup_ticket_channels as select f.branch_id, f.opened_on, f.channel, "
        + ticket_sums
        + " from ticket_facts as f group by f.branch_id, f.opened_on, f.channel order by f.opened_on, f.branch_id"
    )
    con.execute(
        """
        create table rollup_ticket_categories as
        select t.branch_id, cast(t.opened_at as date) as opened_on, t.category, count(*) as complaints
        from tickets as t
        where t.kind = 'complaint'
        group by t.branch_id, cast(t.opened_at as date), t.category
        order by opened_on, t.branch_id, t.category
        """
    )
    _refresh_complaint_handling(con)
    # The view open_complaints stored in closing order: a backlog date reads only its row groups.
    con.execute(
        "create table rollup_complaint_open as select * from open_complaints order by closes_at nulls last, opened_at"
    )
    con.execute(
        """
        create table rollup_dimension_values as select * from dimension_values
        """
    )


# Handling times as "measures" of the exact-percentile tables (see _refresh_complaint_handling):
# measure number: (column of rollup_complaint_handling, its bucket column there, per channel and
# priority). A measure per channel and priority is one series per pair; any other is one series.
HANDLING_MEASURES = {
    1: ("first_response_minutes", "first_response_bucket", False),
    2: ("resolution_minutes", "resolution_bucket", False),
    3: ("first_response_target", "first_response_target_bucket", False),
    4: ("resolution_target", "resolution_target_bucket", False),
    5: ("first_response_minutes", "first_response_pair_bucket", True),
    6: ("resolution_minutes", "resolution_pair_bucket", True),
}
HANDLING_BUCKETS = 128  # per series


def _refresh_complaint_handling(con: duckdb.DuckDBPyConnection) -> None:
    """Complaints with their handling times, and tables for their exact percentiles.

    rollup_complaint_handling: every complaint's times and targets as ticket_facts computes them,
    with its branch's region and type (the filters need no join), in date order (a period reads
    only its row groups).

    Exact percentiles without sorting every value. The values of each series (a measure of
    HANDLING_MEASURES, or of one channel and priority for the measures kept per pair) are put in
    HANDLING_BUCKETS buckets of about equal size, in value order. A value is always in one bucket
    (ties join the bucket where their first copy fell), so a series' buckets are disjoint value
    ranges; bucket numbers are unique across series ((series - 1) * HANDLING_BUCKETS + 1 onwards).
    - rollup_complaint_handling carries each value's bucket per measure;
    - rollup_handling_buckets: per bucket, its series, measure, channel and priority (pair
      series), lowest and highest value;
    - rollup_handling_months: values per branch, month and bucket (measures 1-4);
      rollup_handling_network_months: per month and bucket (every series), read when no branch,
      region or branch type is selected;
    - rollup_handling_values: the values of the buckets holding more than one distinct value,
      ordered by bucket, so a query reads only the buckets it needs.
    The k-th smallest value of a series in a filter is found in two steps: its counts per bucket in
    the filter (whole months from the month tables, other days from rollup_complaint_handling) give
    the bucket and the rank inside it; that bucket's values in the filter, sorted, give the value
    (or the bucket's only value, without reading any). A percentile_cont is two such values
    interpolated as percentile_cont does, so the queries return what percentile_cont over the same
    rows returns.
    """
    con.execute(
        """
        create temporary table tmp_complaints as
        select
            row_number() over () as complaint_no,
            tf.opened_on,
            tf.branch_id,
            tf.region,
            tf.branch_type,
            tf.channel,
            tf.priority,
            tf.segment,
            tf.category,
            tf.component_key,
            tf.first_response_minutes,
            tf.resolution_minutes,
            tf.first_response_target,
            tf.resolution_target,
            tf.first_response_open_minutes,
            tf.resolution_open_minutes,
            tf.first_response_judged_minutes,
            tf.resolution_judged_minutes
        from ticket_facts as tf
        where tf.kind = 'complaint'
        """
    )
    # Measure numbers and column names come from the constant HANDLING_MEASURES, never from input.
    pair = {True: "channel, priority", False: "cast(null as varchar) as channel, cast(null as varchar) as priority"}
    values = " union all ".join(
        f"select cast({m} as smallint) as measure, complaint_no, {pair[by_pair]}, "
        f"cast({column} as double) as value from tmp_complaints where {column} is not null"
        for m, (column, _, by_pair) in HANDLING_MEASURES.items()
    )
    con.execute(
        f"""
        create temporary table tmp_handling_values as
        with series as (
            select
                v.*,
                dense_rank() over (order by v.measure, v.channel nulls first, v.priority nulls first) as series
            from ({values}) as v
        ),
        tiled as (
            select s.*, ntile($buckets) over (partition by s.series order by s.value) as tile
            from series as s
        )
        select
            series, measure, channel, priority, complaint_no, value,
            cast((series - 1) * $buckets + min(tile) over (partition by series, value) as smallint) as bucket
        from tiled
        """,
        {"buckets": HANDLING_BUCKETS},
    )
    bucket_columns = ", ".join(f"b{m}.bucket as {bucket}" for m, (_, bucket, _) in HANDLING_MEASURES.items())
    bucket_joins = " ".join(
        f"left join tmp_handling_values as b{m} on b{m}.complaint_no = c.complaint_no and b{m}.measure = {m}"
        for m in HANDLING_MEASURES
    )
    con.execute(
        f"""
        create table rollup_complaint_handling as
        select
            c.opened_on, c.branch_id, c.region, c.branch_type, c.channel, c.priority,
            c.segment, c.category, c.component_key,
            c.first_response_minutes, c.resolution_minutes, c.first_response_target, c.resolution_target,
            c.first_response_open_minutes, c.resolution_open_minutes,
            c.first_response_judged_minutes, c.resolution_judged_minutes,
            {bucket_columns}
        from tmp_complaints as c
        {bucket_joins}
        order by c.opened_on, c.branch_id
        """
    )
    con.execute(
        """
        create table rollup_handling_buckets as
        select
            bucket, series, measure, channel, priority,
            min(value) as low, max(value) as high, count(*) as n
        from tmp_handling_values
        group by bucket, series, measure, channel, priority
        order by bucket
        """
    )
    con.execute(
        """
        create table rollup_handling_months as
        select
            cast(date_trunc('month', c.opened_on) as date) as month,
            c.branch_id, c.region, c.branch_type, v.series, v.measure, v.bucket,
            count(*) as n
        from tmp_handling_values as v
        join tmp_complaints as c on c.complaint_no = v.complaint_no
        where v.channel is null
        group by cast(date_trunc('month', c.opened_on) as date), c.branch_id, c.region, c.branch_type,
            v.series, v.measure, v.bucket
        order by month, c.branch_id, v.bucket
        """
    )
    con.execute(
        """
        create table rollup_handling_network_months as
        select
            cast(date_trunc('month', c.opened_on) as date) as month,
            v.series, v.measure, v.bucket,
            count(*) as n
        from tmp_handling_values as v
        join tmp_complaints as c on c.complaint_no = v.complaint_no
        group by cast(date_trunc('month', c.opened_on) as date), v.series, v.measure, v.bucket
        order by month, v.bucket
        """
    )
    con.execute(
        """
        create table rollup_handling_values as
        select
            v.bucket, c.opened_on, c.branch_id, c.region, c.branch_type,
            c.channel, c.segment, c.category, c.component_key, v.value
        from tmp_handling_values as v
        join tmp_complaints as c on c.complaint_no = v.complaint_no
        join rollup_handling_buckets as k on k.bucket = v.bucket
        where k.low < k.high
        order by v.bucket, c.opened_on, c.branch_id
        """
    )
    # Complaints still open, censored at their age (Kaplan-Meier): one row per open complaint and
    # time measure (1, 2, 5, 6: the measures of the minutes, not of the targets), with the series
    # its handled twins are in. A series that has no handled value at all has no percentile.
    censored = " union all ".join(
        f"select cast({m} as smallint) as measure, c.*, "
        f"c.{column.replace('_minutes', '_open_minutes')} as age from tmp_complaints as c "
        f"where c.{column.replace('_minutes', '_open_minutes')} is not null"
        for m, (column, _, _) in HANDLING_MEASURES.items()
        if column.endswith("_minutes")
    )
    con.execute(
        f"""
        create table rollup_handling_censored as
        select
            s.series, o.measure, o.opened_on, o.branch_id, o.region, o.branch_type,
            o.channel, o.segment, o.category, o.component_key, o.age
        from ({censored}) as o
        join (select distinct series, measure, channel, priority from tmp_handling_values) as s
            on s.measure = o.measure
            and (s.channel is null or (s.channel = o.channel and s.priority = o.priority))
        order by s.series, o.age
        """
    )
    con.execute("drop table tmp_handling_values")
    con.execute("drop table tmp_complaints")
    # Counts per channel and priority (handling_targets), per branch and month; the period's
    # partial months come from rollup_complaint_handling.
    con.execute(
        """
        create table rollup_complaint_pair_months as
        select
            cast(date_trunc('month', h.opened_on) as date) as month,
            h.branch_id,
            h.region,
            h.branch_type,
            h.channel,
            h.priority,
            count(*) as complaints,
            max(h.first_response_target) as first_response_target,
            max(h.resolution_target) as resolution_target,
            count(h.first_response_minutes) as responded_n,
            count(case when h.first_response_target is not null then h.first_response_judged_minutes end)
                as targeted_first_n,
            sum(case when h.first_response_judged_minutes <= h.first_response_target then 1 else 0 end)
                as first_response_within_target,
            count(h.first_response_open_minutes) as awaiting_first_n,
            count(h.resolution_minutes) as resolved_n,
            count(case when h.resolution_target is not null then h.resolution_judged_minutes end)
                as targeted_resolution_n,
            sum(case when h.resolution_judged_minutes <= h.resolution_target then 1 else 0 end)
                as resolution_within_target,
            count(h.resolution_open_minutes) as still_open_n
        from rollup_complaint_handling as h
        group by cast(date_trunc('month', h.opened_on) as date), h.branch_id, h.region, h.branch_type,
            h.channel, h.priority
        order by month, h.branch_id
        """
    )


def has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    present = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
    }
    return all(t in present for t in TABLES + VIEWS)
