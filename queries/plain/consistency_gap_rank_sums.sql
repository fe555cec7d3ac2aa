-- consistency_gap_rank_sums: rank sums of respondents' overall SERVQUAL gaps per branch, for
-- the Kruskal-Wallis test across branches (H is computed in Python, servicequality.stats.consistency).
-- Every respondent in the filter is ranked once over all branches; tied gaps get their average
-- rank: rank() + (ties - 1) / 2. Gaps are rounded to 9 decimals first so that equal answers
-- computed in a different order still tie.
-- Grain: one row per branch with at least one scored response.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: branch_id, n (respondents), rank_sum (sum of their average ranks)
with respondent_gap as (
    select s.response_id, s.branch_id, round(avg(s.gap), 9) as gap
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, s.region))
        and ($branch_types is null or list_contains($branch_types, s.branch_type))
        and ($branches is null or list_contains($branches, s.branch_id))
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
    group by s.response_id, s.branch_id
),

ranked as (
    select
        branch_id,
        rank() over (order by gap) + (count(*) over (partition by gap) - 1) / 2.0 as average_rank
    from respondent_gap
)

select branch_id, count(*) as n, sum(average_rank) as rank_sum
from ranked
group by branch_id
order by branch_id
