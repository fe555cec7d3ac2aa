-- consistency_gap_rank_sums: rank sums of respondents' overall SERVQUAL gaps per branch, for
-- the Kruskal-Wallis test across branches (H is computed in Python, servicequality.stats.consistency).
-- Every respondent in the filter is ranked once over all branches; tied gaps get their average
-- rank: rank() + (ties - 1) / 2. Gaps are rounded to 9 decimals first so that equal answers
-- computed in a different order still tie.
-- Grain: one row per branch with at least one scored response.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: branch_id, n (respondents), rank_sum (sum of their average ranks), tie_sum (the ties'
--   correction Σ(t³ − t) over the values t respondents share, over every branch: the same on each row;
--   one read with the ranks, which need the tie groups anyway: a second read for it cost 16 ms a year
--   at 10 M tickets)
-- Reads the rollups of servicequality/store/rollups.py (branch x day). With components selected, a
-- respondent's overall gap is the mean over those components (queries/fragments/respondent_gaps.sql).
-- Rollup choice: rollup_respondent_gaps -> respondent_component_gaps when $components
-- Oracle: rollup_respondent_gaps -> base_respondent_gaps
with
-- Include: respondent_gaps

-- Include: gap_tie_groups

value_ranks as (
    select gap, t, coalesce(sum(t) over (order by gap rows between unbounded preceding and 1 preceding), 0) as below
    from tie_groups
),

per_value as (
    select branch_id, gap, count(*) as n
    from respondent_gap
    group by branch_id, gap
)

select
    p.branch_id,
    cast(sum(p.n) as bigint) as n,
    sum(p.n * (v.below + (v.t + 1) / 2.0)) as rank_sum,
    (select sum(cast(t as double) * t * t - t) from tie_groups) as tie_sum
from per_value as p
join value_ranks as v on v.gap = p.gap
group by p.branch_id
order by branch_id
