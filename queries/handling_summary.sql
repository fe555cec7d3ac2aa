-- handling_summary: how fast complaints are answered and resolved, against their targets.
-- Targets come from service_targets for the ticket's channel and priority.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   complaints                    complaints opened in the period
--   responded_n                   of those, with a first response
--   median_first_response_minutes median minutes to first response
--   median_first_response_target  median target of the same complaints
--   first_response_within_target  responded within their target
--   resolved_n                    complaints with a resolution time
--   median_resolution_minutes, median_resolution_target, resolution_within_target
--   targeted_first_n, targeted_resolution_n  complaints that have a target (denominators)
-- Reads the rollups of servicequality/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/handling_summary.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments, $categories, $components
with counts as (
    select
        cast(coalesce(sum(d.complaints), 0) as bigint) as complaints,
        cast(coalesce(sum(d.responded_n), 0) as bigint) as responded_n,
        sum(d.first_response_within_target) as first_response_within_target,
        cast(coalesce(sum(d.targeted_first_n), 0) as bigint) as targeted_first_n,
        cast(coalesce(sum(d.resolved_n), 0) as bigint) as resolved_n,
        sum(d.resolution_within_target) as resolution_within_target,
        cast(coalesce(sum(d.targeted_resolution_n), 0) as bigint) as targeted_resolution_n
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
),

medians as (
    select
        percentile_cont(0.5) within group (order by h.first_response_minutes) as median_first_response_minutes,
        percentile_cont(0.5) within group (order by h.resolution_minutes) as median_resolution_minutes
    from rollup_complaint_handling as h
join branches as b on b.branch_id = h.branch_id
    where h.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
),

pairs as (
    select h.channel, h.priority, count(*) as complaints
    from rollup_complaint_handling as h
join branches as b on b.branch_id = h.branch_id
    where h.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
    group by h.channel, h.priority
),

target_values as (
    select 'first' as which, s.first_response_minutes as value, sum(pr.complaints) as n
    from pairs as pr
    join service_targets as s on s.channel = pr.channel and s.priority = pr.priority
    group by s.first_response_minutes
    union all
    select 'resolution', s.resolution_minutes, sum(pr.complaints)
    from pairs as pr
    join service_targets as s on s.channel = pr.channel and s.priority = pr.priority
    group by s.resolution_minutes
),

ranked as (
    select
        which,
        value,
        sum(n) over (partition by which order by value rows between unbounded preceding and current row) as upto,
        sum(n) over (partition by which) as total
    from target_values
),

-- percentile_cont(0.5): the values at 0-based ranks floor(h) and ceil(h), h = (total - 1) / 2,
-- and lo + (hi - lo) * (h - floor(h)) between them.
target_medians as (
    select
        which,
        min(case when upto > floor((total - 1) / 2.0) then value end) as lo,
        min(case when upto > ceil((total - 1) / 2.0) then value end) as hi,
        max((total - 1) / 2.0 - floor((total - 1) / 2.0)) as frac
    from ranked
    group by which
),

targets as (
    select
        max(case when which = 'first' then cast(lo as double) + (hi - lo) * frac end) as median_first_response_target,
        max(case when which = 'resolution' then cast(lo as double) + (hi - lo) * frac end) as median_resolution_target
    from target_medians
)

select
    c.complaints,
    c.responded_n,
    m.median_first_response_minutes,
    t.median_first_response_target,
    c.first_response_within_target,
    c.targeted_first_n,
    c.resolved_n,
    m.median_resolution_minutes,
    t.median_resolution_target,
    c.resolution_within_target,
    c.targeted_resolution_n
from counts as c cross join medians as m cross join targets as t
