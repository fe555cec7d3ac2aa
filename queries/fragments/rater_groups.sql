-- Fragment: rater_groups (included by servqual_rater_gaps, see store.runner "-- Include:").
-- With components selected, a respondent's RATER group score is the mean over the selected
-- components of the group: from each respondent's component means (rollup_response_components,
-- scaled integers: x = score x respondent_scale exactly, as in rollup_rater_days), summed per
-- branch, day, channel, segment and group. store/generate.py reads it in place of rollup_rater_days
-- when a component selection is set; the CTE is never run otherwise.
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
)
