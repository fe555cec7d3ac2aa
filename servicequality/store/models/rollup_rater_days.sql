-- rollup_rater_days: the RATER groups (Parasuraman, Zeithaml & Berry 1988): a respondent's group P, E
-- and gap are the means of their component scores in the group, scaled by respondent_scale (exact
-- integers), summed per branch, day, channel, segment and group.
-- Grain: branch_id x submitted_on x channel x segment x rater_group
-- Order: submitted_on, branch_id, rater_group
-- Partition: day submitted_on
with groups as (
    select
        rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, c.rater_group,
        cast(sum(rc.p) * ((select respondent_scale from rollup_settings)
            // ((select gap_scale from rollup_settings) * count(*))) as bigint) as p,
        cast(sum(rc.e) * ((select respondent_scale from rollup_settings)
            // ((select gap_scale from rollup_settings) * count(*))) as bigint) as e
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
