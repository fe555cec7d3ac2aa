-- consistency_gap_ties: the tie correction term of the Kruskal-Wallis test on respondents'
-- overall SERVQUAL gaps (same respondents and rounding as consistency_gap_rank_sums).
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: n (respondents), tie_sum (sum over groups of equal gaps of t^3 - t, t the group size)
with respondent_gap as (
    select s.response_id, round(avg(s.gap), 9) as gap
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, s.region))
        and ($branch_types is null or list_contains($branch_types, s.branch_type))
        and ($branches is null or list_contains($branches, s.branch_id))
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
    group by s.response_id
),

tie_groups as (
    select gap, count(*) as t
    from respondent_gap
    group by gap
)

select
    coalesce(sum(t), 0) as n,
    coalesce(sum(cast(t as double) * t * t - t), 0) as tie_sum
from tie_groups
