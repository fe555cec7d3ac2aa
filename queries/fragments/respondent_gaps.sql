-- Fragment: respondent_gaps (included by the respondent-level survey queries, see store.runner "-- Include:").
-- A respondent's overall gap is the mean of their component gaps. With no component selected it is
-- stored (rollup_respondent_gaps, and its sums per branch and day in rollup_survey_days); with
-- components selected it is the mean over the selected ones, computed here from each respondent's
-- component means (rollup_response_components, scaled integers: x = gap x respondent_scale exactly,
-- because respondent_scale holds every count of components up to the largest). The including query
-- names the switch in its header: "-- Rollup choice: rollup_respondent_gaps -> respondent_component_gaps
-- when $components" and/or "survey_gap_days -> component_gap_days when $components"; the CTEs it does
-- not read never run.
respondent_component_gaps as (
    select
        rc.submitted_on, rc.branch_id, rc.channel, rc.segment, rc.response_id,
        cast(sum(rc.p - rc.e) * (st.respondent_scale // (st.gap_scale * count(*))) as bigint) as x,
        round(sum(rc.p - rc.e) / (st.gap_scale * count(*)), 9) as gap_key
    from rollup_response_components as rc
    cross join rollup_settings as st
    where rc.submitted_on between $start and $end
        and list_contains($components, rc.component_key)
    group by rc.submitted_on, rc.branch_id, rc.channel, rc.segment, rc.response_id, st.respondent_scale, st.gap_scale
),

component_gap_days as (
    select
        g.branch_id, g.submitted_on, g.channel, g.segment,
        count(*) as gap_n, sum(g.x) as sum_x, sum(cast(g.x as hugeint) * g.x) as sum_xx
    from respondent_component_gaps as g
    group by g.branch_id, g.submitted_on, g.channel, g.segment
),

survey_gap_days as (
    select d.branch_id, d.submitted_on, d.channel, d.segment, d.gap_n, d.sum_x, d.sum_xx
    from rollup_survey_days as d
)
