-- branch_gaps: each branch's overall SERVQUAL gap (unweighted) in the filter.
-- A respondent's overall gap is the mean of their component gaps; the branch's is the mean
-- over its respondents, with the sample standard deviation for the t interval.
-- Grain: one row per branch with at least one scored response.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: branch_id, branch_name, region, n, mean_gap, sd_gap
with respondent_gap as (
    select s.response_id, s.branch_id, avg(s.gap) as gap
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, s.region))
        and ($branch_types is null or list_contains($branch_types, s.branch_type))
        and ($branches is null or list_contains($branches, s.branch_id))
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
    group by s.response_id, s.branch_id
)

select
    b.branch_id,
    b.name as branch_name,
    b.region,
    count(*) as n,
    avg(g.gap) as mean_gap,
    stddev_samp(g.gap) as sd_gap
from respondent_gap as g
join branches as b on b.branch_id = g.branch_id
group by b.branch_id, b.name, b.region
order by b.branch_id
