-- Fragment: respondent_gaps (included by the respondent-level survey queries, see store.runner "-- Include:").
-- A respondent's overall gap is the mean of their component gaps. With no component selected it is
-- stored (rollup_respondent_gaps, and its sums per branch and day in rollup_survey_days); with
-- components selected it is the mean over the selected ones, computed here from each respondent's
-- component means (rollup_response_components, scaled integers: x = gap x respondent_scale exactly,
-- because respondent_scale holds every count of components up to the largest). The including query
-- names the switch in its header: "-- Rollup choice: rollup_respondent_gaps -> respondent_component_gaps
-- when $components" (store/facts.py's respondent_gaps fact reads component_gap_days the same way); the
-- CTEs it does not read never run. base_respondent_gaps is the same respondents' gaps computed from
-- the base view, the plain form's source ("-- Oracle: rollup_respondent_gaps -> base_respondent_gaps",
-- and the respondent_gaps fact's base relation).
-- With one component selected, a respondent's gap over it is their gap on it, so the respondents and
-- their day sums need no regrouping: the two choices below (store.runner reads them from here) swap
-- in single_component_gaps (the rows of rollup_response_components scaled, as respondent_component_gaps
-- scales them with a count of 1; defined before component_gap_days, which then reads it: Spark wants
-- a CTE defined before it is read) and single_component_gap_days (rollup_component_days' sums of
-- that component, scaled once more: sum(k x) = k sum(x), sum((k x)^2) = k^2 sum(x^2), k the ratio
-- of the scales). The rows are the same, exact integers either way. The whole months of the period
-- come from component_gap_months (store/facts.py names it the day table's month twin): the days summed
-- by month (defined last: the choices may make it read single_component_gap_days), or with one
-- component rollup_component_months' sums, a thirtieth of the day rows.
-- Rollup choice: respondent_component_gaps -> single_component_gaps when one $components
-- Rollup choice: component_gap_days -> single_component_gap_days when one $components
-- Rollup choice: component_gap_months -> single_component_gap_months when one $components
base_respondent_gaps as (
    select
        s.response_id,
        any_value(s.branch_id) as branch_id,
        any_value(s.region) as region,
        any_value(s.branch_type) as branch_type,
        any_value(s.channel) as channel,
        any_value(s.segment) as segment,
        any_value(s.submitted_on) as submitted_on,
        avg(s.gap) as gap,
        round(avg(s.gap), 9) as gap_key,
        avg(s.perception) as perception
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($components is null or list_contains($components, s.component_key))
    group by s.response_id
),

respondent_component_gaps as (
    select
        rc.submitted_on, rc.branch_id, rc.channel, rc.segment, rc.response_id,
        cast(sum(rc.p - rc.e) * (st.respondent_scale // (st.gap_scale * count(*))) as bigint) as x,
        round(sum(rc.p - rc.e) / (st.gap_scale * count(*)), 9) as gap_key,
        cast(sum(rc.p) * (st.respondent_scale // (st.gap_scale * count(*))) as bigint) as xp
    from rollup_response_components as rc
    cross join rollup_settings as st
    where rc.submitted_on between $start and $end
        and list_contains($components, rc.component_key)
    group by rc.submitted_on, rc.branch_id, rc.channel, rc.segment, rc.response_id, st.respondent_scale, st.gap_scale
),

single_component_gaps as (
    select
        rc.submitted_on, rc.branch_id, rc.channel, rc.segment, rc.response_id,
        cast((rc.p - rc.e) * (st.respondent_scale // st.gap_scale) as bigint) as x,
        round((rc.p - rc.e) / st.gap_scale, 9) as gap_key,
        cast(rc.p * (st.respondent_scale // st.gap_scale) as bigint) as xp
    from rollup_response_components as rc
    cross join rollup_settings as st
    where rc.submitted_on between $start and $end
        and list_contains($components, rc.component_key)
),

component_gap_days as (
    select
        g.branch_id, g.submitted_on, g.channel, g.segment,
        count(*) as gap_n, sum(g.x) as sum_x, sum(cast(g.x as hugeint) * g.x) as sum_xx,
        sum(g.xp) as sum_xp, sum(cast(g.xp as hugeint) * g.xp) as sum_xpxp
    from respondent_component_gaps as g
    group by g.branch_id, g.submitted_on, g.channel, g.segment
),

single_component_gap_days as (
    select
        d.branch_id, d.submitted_on, d.channel, d.segment,
        d.n as gap_n,
        cast(d.sum_g as hugeint) * (st.respondent_scale // st.gap_scale) as sum_x,
        cast(d.sum_gg as hugeint) * (st.respondent_scale // st.gap_scale) * (st.respondent_scale // st.gap_scale)
            as sum_xx,
        cast(d.sum_p as hugeint) * (st.respondent_scale // st.gap_scale) as sum_xp,
        cast(d.sum_pp as hugeint) * (st.respondent_scale // st.gap_scale) * (st.respondent_scale // st.gap_scale)
            as sum_xpxp
    from rollup_component_days as d
    cross join rollup_settings as st
    where d.submitted_on between $start and $end
        and list_contains($components, d.component_key)
),

single_component_gap_months as (
    select
        m.branch_id, m.month_start, m.month_end, m.channel, m.segment,
        m.n as gap_n,
        cast(m.sum_g as hugeint) * (st.respondent_scale // st.gap_scale) as sum_x,
        cast(m.sum_gg as hugeint) * (st.respondent_scale // st.gap_scale) * (st.respondent_scale // st.gap_scale)
            as sum_xx,
        cast(m.sum_p as hugeint) * (st.respondent_scale // st.gap_scale) as sum_xp,
        cast(m.sum_pp as hugeint) * (st.respondent_scale // st.gap_scale) * (st.respondent_scale // st.gap_scale)
            as sum_xpxp
    from rollup_component_months as m
    cross join rollup_settings as st
    where m.month_start >= $start and m.month_end <= $end
        and list_contains($components, m.component_key)
),

-- Include: days_by_month (name component_gap_months; days component_gap_days; keys d.channel, d.segment; sums sum(d.gap_n) as gap_n, sum(d.sum_x) as sum_x, sum(d.sum_xx) as sum_xx, sum(d.sum_xp) as sum_xp, sum(d.sum_xpxp) as sum_xpxp)
