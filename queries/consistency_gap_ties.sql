-- consistency_gap_ties: the tie correction term of the Kruskal-Wallis test on respondents'
-- overall SERVQUAL gaps (same respondents and rounding as consistency_gap_rank_sums).
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: n (respondents), tie_sum (sum over groups of equal gaps of t^3 - t, t the group size)
-- Reads the rollups of servicequality/store/rollups.py (branch x day). With components selected, a
-- respondent's overall gap is the mean over those components (queries/fragments/respondent_gaps.sql).
-- Rollup choice: rollup_respondent_gaps -> respondent_component_gaps when $components
-- Oracle: rollup_respondent_gaps -> base_respondent_gaps
with
-- Include: respondent_gaps

-- Include: gap_tie_groups

select
    coalesce(sum(t), 0) as n,
    coalesce(sum(cast(t as double) * t * t - t), 0) as tie_sum
from tie_groups
