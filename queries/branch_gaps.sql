-- branch_gaps: each branch's overall SERVQUAL gap (unweighted) in the filter.
-- A respondent's overall gap is the mean of their component gaps; the branch's is the mean
-- over its respondents, with the sample standard deviation for the t interval.
-- Grain: one row per branch with at least one scored response.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: branch_id, branch_name, region, n, mean_gap, sd_gap
-- Reads the rollups of servicequality/store/rollups.py (branch x day). With components selected, a
-- respondent's overall gap is the mean over those components (queries/fragments/respondent_gaps.sql).
-- Rollup choice: survey_gap_days -> component_gap_days when $components
with
-- Include: respondent_gaps

sums as (
    select d.branch_id, sum(d.gap_n) as n, sum(d.sum_x) as sx, sum(d.sum_xx) as sxx
    from survey_gap_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
    group by d.branch_id
    having sum(d.gap_n) > 0
)

select
    b.branch_id,
    b.name as branch_name,
    b.region,
    cast(s.n as bigint) as n,
    cast(s.sx as double) / (s.n * st.respondent_scale) as mean_gap,
    case when s.n > 1 then sqrt(cast(s.n * s.sxx - s.sx * s.sx as double) / (s.n * (s.n - 1))) / st.respondent_scale end as sd_gap
from sums as s
join branches as b on b.branch_id = s.branch_id
cross join rollup_settings as st
order by branch_id
