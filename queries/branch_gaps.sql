-- branch_gaps: each branch's overall SERVQUAL gap (unweighted) in the filter.
-- A respondent's overall gap is the mean of their component gaps; the branch's is the mean
-- over its respondents, with the sample standard deviation for the t interval.
-- Grain: one row per branch with at least one scored response.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: branch_id, branch_name, region, n, mean_gap, sd_gap
-- The sums come from the `-- Measures:` line: store/generate.py generates them from rollup_survey_days or,
-- with components selected, from the respondents' gaps over those components
-- (queries/fragments/respondent_gaps.sql); as the tests' oracle, from response_component_scores.
with
-- Include: respondent_gaps
-- Measures: sums = respondent_gaps by branch_id: gap_n, mean_gap, sd_gap
select
    b.branch_id,
    b.name as branch_name,
    b.region,
    s.gap_n as n,
    s.mean_gap,
    s.sd_gap
from sums as s
join branches as b on b.branch_id = s.branch_id
where s.gap_n > 0
order by b.branch_id
