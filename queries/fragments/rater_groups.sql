-- Fragment: rater_groups (included by servqual_rater_gaps, see store.runner "-- Include:").
-- With components selected, a respondent's RATER group score is the mean over the selected
-- components of the group: from each respondent's component means (rollup_response_components,
-- scaled integers: x = score x respondent_scale exactly, as in rollup_rater_days), summed per
-- branch, day, channel, segment and group. store/generate.py reads it in place of rollup_rater_days
-- when a component selection is set; the CTE is never run otherwise.
-- With one component selected, the group score is that component's score: the sums come from
-- rollup_component_days, scaled by k = respondent_scale / gap_scale (sum(k x) = k sum(x), and k^2
-- for the squares), the same exact integers without regrouping the respondents. The whole months of
-- the period come from rater_component_months (store/facts.py names it the day table's month twin):
-- the days summed by month, or with one component rollup_component_months' sums (a year of one
-- component's day rows took 56 of a 62 ms read at 10 M tickets).
-- Rollup choice: rater_component_days -> single_rater_component_days when one $components
-- Rollup choice: rater_component_months -> single_rater_component_months when one $components
rater_component_days as (
    select
        g.branch_id, g.submitted_on, g.channel, g.segment, g.rater_group,
        count(*) as n, sum(g.p) as sum_p, sum(g.e) as sum_e, sum(g.p - g.e) as sum_g,
        sum(cast(g.p - g.e as hugeint) * (g.p - g.e)) as sum_gg
    from (
        select
            rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, c.rater_group,
            cast(sum(rc.p) * (st.respondent_scale // (st.gap_scale * count(*))) as bigint) as p,
            cast(sum(rc.e) * (st.respondent_scale // (st.gap_scale * count(*))) as bigint) as e
        from rollup_response_components as rc
        join components as c on c.component_key = rc.component_key
        cross join rollup_settings as st
        where rc.submitted_on between $start and $end
            and list_contains($components, rc.component_key)
        group by rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, c.rater_group,
            st.respondent_scale, st.gap_scale
    ) as g
    group by g.branch_id, g.submitted_on, g.channel, g.segment, g.rater_group
),

single_rater_component_days as (
    select
        d.branch_id, d.submitted_on, d.channel, d.segment, c.rater_group,
        d.n,
        cast(d.sum_p as hugeint) * (st.respondent_scale // st.gap_scale) as sum_p,
        cast(d.sum_e as hugeint) * (st.respondent_scale // st.gap_scale) as sum_e,
        cast(d.sum_g as hugeint) * (st.respondent_scale // st.gap_scale) as sum_g,
        cast(d.sum_gg as hugeint) * (st.respondent_scale // st.gap_scale) * (st.respondent_scale // st.gap_scale)
            as sum_gg
    from rollup_component_days as d
    join components as c on c.component_key = d.component_key
    cross join rollup_settings as st
    where d.submitted_on between $start and $end
        and list_contains($components, d.component_key)
),

single_rater_component_months as (
    select
        m.branch_id, m.month_start, m.month_end, m.channel, m.segment, c.rater_group,
        m.n,
        cast(m.sum_p as hugeint) * (st.respondent_scale // st.gap_scale) as sum_p,
        cast(m.sum_e as hugeint) * (st.respondent_scale // st.gap_scale) as sum_e,
        cast(m.sum_g as hugeint) * (st.respondent_scale // st.gap_scale) as sum_g,
        cast(m.sum_gg as hugeint) * (st.respondent_scale // st.gap_scale) * (st.respondent_scale // st.gap_scale)
            as sum_gg
    from rollup_component_months as m
    join components as c on c.component_key = m.component_key
    cross join rollup_settings as st
    where m.month_start >= $start and m.month_end <= $end
        and list_contains($components, m.component_key)
),

-- Include: days_by_month (name rater_component_months; days rater_component_days; keys d.channel, d.segment, d.rater_group; sums sum(d.n) as n, sum(d.sum_p) as sum_p, sum(d.sum_e) as sum_e, sum(d.sum_g) as sum_g, sum(d.sum_gg) as sum_gg)
