-- component_importance: the weight customers give each component.
-- Each respondent's points are normalised to sum 1 over the components they weighted; the
-- component weight is the mean of those shares over the respondents who gave points.
-- Grain: one row per component that received importance points.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns: component_key, n (respondents who gave points), mean_share (0-1)
with points as (
    select i.response_id, i.component_key, i.points
    from survey_importance as i
    join survey_responses as r on r.response_id = i.response_id
    join branches as b on b.branch_id = r.branch_id
    where cast(r.submitted_at as date) between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, r.branch_id))
        and ($channels is null or list_contains($channels, r.channel))
        and ($segments is null or list_contains($segments, r.segment))
),

totals as (
    select response_id, sum(points) as total_points
    from points
    group by response_id
    having sum(points) > 0
)

select
    p.component_key,
    count(*) as n,
    avg(p.points / t.total_points) as mean_share
from points as p
join totals as t on t.response_id = p.response_id
group by p.component_key
order by p.component_key
