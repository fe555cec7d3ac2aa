"""Pre-aggregated tables the queries read instead of scanning every ticket and survey item.

`refresh(con)` (re)builds every `rollup_*` table from the base tables. It runs inside every
build (`store.build_atomically`: the demo and every import), so the rollups always describe
the file they are in; `python -m servicequality refresh --db PATH` rebuilds them in an
existing database (atomically, like an import).

Exactness. The queries in `queries/` must return what the plain queries in `queries/plain/`
return. Counts are counts. Means and standard deviations are rebuilt from sums, and the survey
sums are *integers*: a respondent's mean over a component's k items is (sum of scores) / k, so
it is stored multiplied by `gap_scale` = the least common multiple of every k (and of every
count of adequate items) in the data, which makes it a whole number; a respondent's overall
gap (the mean over their m components) is stored multiplied by `respondent_scale` = gap_scale
times the lcm of every m. Sums and sums of squares of whole numbers are exact (HUGEINT), so a
mean is one division and a variance (n * sum(x^2) - sum(x)^2) / (n (n - 1)) is exact up to its
last rounding: the results equal the plain queries' to about 1e-15 relative (the plain ones add
doubles in whatever order DuckDB's threads meet them, so they are no more exact than that).
Only importance shares (points / a respondent's total) are summed as doubles.

Grain: branch and day, so any period of whole days and any set of branches, regions or branch
types is answered exactly. The narrower selections (channel, segment, complaint category,
component) are not dimensions of the day rollups (that would multiply their size by ~30): a
query given one of them runs its plain twin in queries/plain/ instead: the query file names
them on its "-- Plain when set:" line and store.run_query switches.
"""

from __future__ import annotations

import json
import math
from functools import reduce

import duckdb

# Every table this module writes; refresh drops and rebuilds them all.
TABLES = (
    "rollup_settings",
    "rollup_ticket_days",
    "rollup_ticket_channels",
    "rollup_ticket_categories",
    "rollup_complaint_handling",
    "rollup_complaint_open",
    "rollup_response_components",
    "rollup_survey_days",
    "rollup_component_days",
    "rollup_respondent_gaps",
    "rollup_importance_days",
    "rollup_item_days",
    "rollup_item_totals",
    "rollup_dimension_values",
)

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


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every rollup exists and was built from base tables of today's row counts.

    Every write goes through store.build_atomically, which refreshes, so this only guards
    files written by older versions or by hand."""
    if not has_rollups(con):
        return False
    recorded = con.execute("select source_counts from rollup_settings").fetchone()[0]
    return recorded == json.dumps(source_counts(con), sort_keys=True)


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every rollup table from the base tables (inside the caller's transaction)."""
    con.execute("set enable_progress_bar = false")
    counts = json.dumps(source_counts(con), sort_keys=True)
    for table in TABLES:
        con.execute("drop table if exists " + table)  # names from the constant above

    # Per response and component: item counts and integer sums (the base of every survey rollup).
    con.execute(
        """
        create temporary table tmp_response_components as
        select
            sc.response_id,
            sc.component_key,
            count(*) as k,
            count(sc.adequate) as ka,
            sum(sc.perception) as sum_p,
            sum(sc.expectation) as sum_e,
            sum(sc.adequate) as sum_a
        from survey_scores as sc
        group by sc.response_id, sc.component_key
        """
    )
    ks = [r[0] for r in con.execute("select distinct k from tmp_response_components").fetchall()]
    kas = [r[0] for r in con.execute("select distinct ka from tmp_response_components").fetchall()]
    gap_scale = _lcm(ks + kas)
    ms = [
        r[0]
        for r in con.execute("select distinct count(*) from tmp_response_components group by response_id").fetchall()
    ]
    respondent_scale = gap_scale * _lcm(ms)
    if respondent_scale > MAX_SCALE:
        raise ValueError(f"Survey item counts give a scale of {respondent_scale}; rollups need at most {MAX_SCALE}.")
    con.execute(
        "create table rollup_settings as select cast($g as bigint) as gap_scale, "
        "cast($r as bigint) as respondent_scale, cast($c as varchar) as source_counts",
        {"g": gap_scale, "r": respondent_scale, "c": counts},
    )

    # Per response and component, scaled: p = mean perception * gap_scale, and so on.
    con.execute(
        """
        create table rollup_response_components as
        select
            r.branch_id,
            cast(r.submitted_at as date) as submitted_on,
            r.response_id,
            rc.component_key,
            cast(rc.sum_p * ($g // rc.k) as bigint) as p,
            cast(rc.sum_e * ($g // rc.k) as bigint) as e,
            case when rc.ka > 0 then cast(rc.sum_a * ($g // rc.ka) as bigint) end as a
        from tmp_response_components as rc
        join survey_responses as r on r.response_id = rc.response_id
        order by submitted_on, r.branch_id
        """,
        {"g": gap_scale},
    )
    con.execute("drop table tmp_response_components")

    con.execute(
        """
        create table rollup_component_days as
        select
            branch_id,
            submitted_on,
            component_key,
            count(*) as n,
            sum(p) as sum_p,
            sum(e) as sum_e,
            sum(p - e) as sum_g,
            sum((p - e) * (p - e)) as sum_gg,
            count(a) as n_a,
            sum(a) as sum_a,
            sum(case when a is not null then p end) as sum_p_a,
            sum(case when a is not null then e end) as sum_e_a,
            sum(p - a) as sum_msa,
            sum((p - a) * (p - a)) as sum_msa2,
            sum(case when a is not null then p - e end) as sum_mss,
            sum(case when a is not null then (p - e) * (p - e) end) as sum_mss2
        from rollup_response_components
        group by branch_id, submitted_on, component_key
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
            response_id,
            cast(sum(p - e) * ($r // ($g * count(*))) as bigint) as x,
            round(sum(p - e) / ($g * count(*)), 9) as gap_key
        from rollup_response_components
        group by submitted_on, branch_id, response_id
        order by submitted_on, branch_id
        """,
        {"g": gap_scale, "r": respondent_scale},
    )

    con.execute(
        """
        create table rollup_survey_days as
        select
            r.branch_id,
            cast(r.submitted_at as date) as submitted_on,
            count(*) as responses,
            count(r.overall_satisfaction) as csat_n,
            sum(case when r.overall_satisfaction >= 4 then 1 else 0 end) as csat_satisfied,
            count(r.nps) as nps_n,
            sum(case when r.nps >= 9 then 1 else 0 end) as promoters,
            sum(case when r.nps <= 6 then 1 else 0 end) as detractors,
            count(g.x) as gap_n,
            sum(g.x) as sum_x,
            sum(g.x * g.x) as sum_xx
        from survey_responses as r
        left join rollup_respondent_gaps as g on g.response_id = r.response_id
        group by r.branch_id, cast(r.submitted_at as date)
        order by submitted_on, r.branch_id
        """
    )

    # Importance: each respondent's points as shares of their total (respondents with a total > 0).
    con.execute(
        """
        create table rollup_importance_days as
        with points as (
            select i.response_id, i.component_key, i.points, r.branch_id,
                   cast(r.submitted_at as date) as submitted_on
            from survey_importance as i
            join survey_responses as r on r.response_id = i.response_id
        ),
        totals as (
            select response_id, sum(points) as total_points
            from points
            group by response_id
            having sum(points) > 0
        )
        select p.branch_id, p.submitted_on, p.component_key, count(*) as n,
               sum(p.points / t.total_points) as sum_share
        from points as p
        join totals as t on t.response_id = p.response_id
        group by p.branch_id, p.submitted_on, p.component_key
        order by p.submitted_on, p.branch_id, p.component_key
        """
    )

    # Cronbach's alpha: item score sums per item, split by how many items the respondent
    # answered in that component (the query keeps those with all k items seen in the filter).
    con.execute(
        """
        create table rollup_item_days as
        with scored as (
            select sc.response_id, sc.component_key, sc.item, sc.perception, sc.expectation,
                   r.branch_id, cast(r.submitted_at as date) as submitted_on,
                   count(*) over (partition by sc.response_id, sc.component_key) as n_items
            from survey_scores as sc
            join survey_responses as r on r.response_id = sc.response_id
        )
        select
            branch_id, submitted_on, component_key, item, n_items,
            count(*) as n,
            sum(perception) as sp, sum(perception * perception) as spp,
            sum(expectation) as se, sum(expectation * expectation) as see,
            sum(perception - expectation) as sg,
            sum((perception - expectation) * (perception - expectation)) as sgg
        from scored
        group by branch_id, submitted_on, component_key, item, n_items
        order by submitted_on, branch_id, component_key, item
        """
    )
    con.execute(
        """
        create table rollup_item_totals as
        with respondent as (
            select sc.response_id, sc.component_key, count(*) as n_items,
                   sum(sc.perception) as p, sum(sc.expectation) as e,
                   sum(sc.perception - sc.expectation) as g
            from survey_scores as sc
            group by sc.response_id, sc.component_key
        )
        select
            r.branch_id, cast(r.submitted_at as date) as submitted_on, x.component_key, x.n_items,
            count(*) as n,
            sum(x.p) as sp, sum(x.p * x.p) as spp,
            sum(x.e) as se, sum(x.e * x.e) as see,
            sum(x.g) as sg, sum(x.g * x.g) as sgg
        from respondent as x
        join survey_responses as r on r.response_id = x.response_id
        group by r.branch_id, cast(r.submitted_at as date), x.component_key, x.n_items
        order by submitted_on, r.branch_id, x.component_key
        """
    )

    # Tickets per branch and day; complaint handling counts as in ticket_facts.
    con.execute(
        """
        create table rollup_ticket_days as
        select
            tf.branch_id,
            tf.opened_on,
            count(*) as tickets,
            sum(case when tf.kind = 'complaint' then 1 else 0 end) as complaints,
            count(case when tf.kind = 'complaint' then tf.first_response_minutes end) as responded_n,
            sum(case when tf.kind = 'complaint' and tf.first_response_minutes <= tf.first_response_target
                then 1 else 0 end) as first_response_within_target,
            count(case when tf.kind = 'complaint' and tf.first_response_target is not null
                then tf.first_response_minutes end) as targeted_first_n,
            count(case when tf.kind = 'complaint' then tf.resolution_minutes end) as resolved_n,
            sum(case when tf.kind = 'complaint' and tf.resolution_minutes <= tf.resolution_target
                then 1 else 0 end) as resolution_within_target,
            count(case when tf.kind = 'complaint' and tf.resolution_target is not null
                then tf.resolution_minutes end) as targeted_resolution_n,
            sum(case when tf.kind = 'complaint' and tf.reopened_count > 0 then 1 else 0 end) as reopened,
            sum(case when tf.kind = 'complaint' and tf.escalated then 1 else 0 end) as escalated,
            count(case when tf.kind = 'complaint' then tf.satisfaction end) as satisfaction_n,
            sum(case when tf.kind = 'complaint' then tf.satisfaction end) as satisfaction_sum,
            sum(case when tf.kind = 'complaint' and tf.satisfaction >= 4 then 1 else 0 end) as satisfied,
            sum(case when tf.kind = 'complaint' and tf.satisfaction = 1 then 1 else 0 end) as satisfaction_1,
            sum(case when tf.kind = 'complaint' and tf.satisfaction = 2 then 1 else 0 end) as satisfaction_2,
            sum(case when tf.kind = 'complaint' and tf.satisfaction = 3 then 1 else 0 end) as satisfaction_3,
            sum(case when tf.kind = 'complaint' and tf.satisfaction = 4 then 1 else 0 end) as satisfaction_4,
            sum(case when tf.kind = 'complaint' and tf.satisfaction = 5 then 1 else 0 end) as satisfaction_5
        from ticket_facts as tf
        group by tf.branch_id, tf.opened_on
        order by tf.opened_on, tf.branch_id
        """
    )
    con.execute(
        """
        create table rollup_ticket_channels as
        select
            tf.branch_id,
            tf.opened_on,
            tf.channel,
            count(*) as tickets,
            sum(case when tf.kind = 'complaint' then 1 else 0 end) as complaints,
            sum(case when tf.kind = 'complaint' and tf.family = 'product' then 1 else 0 end) as product_complaints,
            sum(case when tf.kind = 'complaint' and tf.family = 'service' then 1 else 0 end) as service_complaints
        from ticket_facts as tf
        group by tf.branch_id, tf.opened_on, tf.channel
        order by tf.opened_on, tf.branch_id, tf.channel
        """
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
    # Complaints with their handling times, as ticket_facts computes them, in date order: the
    # percentiles need the values themselves.
    con.execute(
        """
        create table rollup_complaint_handling as
        select
            tf.opened_on,
            tf.branch_id,
            tf.channel,
            tf.priority,
            tf.first_response_minutes,
            tf.resolution_minutes,
            tf.first_response_target,
            tf.resolution_target
        from ticket_facts as tf
        where tf.kind = 'complaint'
        order by tf.opened_on, tf.branch_id
        """
    )
    # Complaints that can be open at the end of some day: every complaint except those closed
    # without a resolution time. closes_at = when it stopped being open (null: still open).
    con.execute(
        """
        create table rollup_complaint_open as
        select t.branch_id, t.opened_at, t.resolved_at as closes_at
        from tickets as t
        where t.kind = 'complaint'
            and (t.resolved_at is not null or t.status = 'open')
        order by t.resolved_at nulls last, t.opened_at
        """
    )
    con.execute(
        """
        create table rollup_dimension_values as
        select distinct 'channel' as dimension, channel as value from tickets
        union
        select distinct 'channel' as dimension, channel as value from survey_responses
        union
        select distinct 'segment' as dimension, segment as value from tickets
        union
        select distinct 'segment' as dimension, segment as value from survey_responses
        """
    )


def has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    present = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
    }
    return all(t in present for t in TABLES)
