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
--   p90_first_response_minutes, p90_resolution_minutes  90th percentiles
--   targeted_first_n, targeted_resolution_n  complaints with a target judged against it: handled, or
--                                 still open past it (late); the denominators of the within shares
--   awaiting_first_n, late_awaiting_first_n  still awaiting a first response; of those past the target
--   still_open_n, late_open_n     still open (no resolution); of those past the resolution target
-- Times are Kaplan-Meier percentiles (Kaplan & Meier 1958) over the handled times and the ages of
-- the complaints still open (censored): S(t) = prod over times t_i <= t of (1 - d_i / n_i), d_i
-- handled at t_i, n_i at risk (time >= t_i); the q-quantile is the smallest handled time with
-- S <= 1 - q (null when the curve does not reach it).
with complaints as (
    select tf.*
    from ticket_facts as tf
    where tf.kind = 'complaint'
        and tf.opened_on between $start and $end
        and ($regions is null or list_contains($regions, tf.region))
        and ($branch_types is null or list_contains($branch_types, tf.branch_type))
        and ($branches is null or list_contains($branches, tf.branch_id))
        and ($channels is null or list_contains($channels, tf.channel))
        and ($segments is null or list_contains($segments, tf.segment))
        and ($categories is null or list_contains($categories, tf.category))
        and ($components is null or list_contains($components, tf.component_key))
)

,

observations as (
    select 1 as measure, first_response_minutes as t, 1 as handled from complaints
    where first_response_minutes is not null
    union all
    select 1, first_response_open_minutes, 0 from complaints where first_response_open_minutes is not null
    union all
    select 2, resolution_minutes, 1 from complaints where resolution_minutes is not null
    union all
    select 2, resolution_open_minutes, 0 from complaints where resolution_open_minutes is not null
),

steps as (
    select measure, t, sum(handled) as d, count(*) as leaving from observations group by measure, t
),

at_risk as (
    select
        measure, t, d,
        sum(leaving) over (partition by measure order by t desc rows between unbounded preceding and current row)
            as n
    from steps
),

survival as (
    select
        measure, t, d,
        exp(sum(ln(case when n > d then 1 - d / n else 1e-300 end)) over (
            partition by measure order by t rows between unbounded preceding and current row
        )) as s
    from at_risk
),

km as (
    select
        min(case when measure = 1 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_first,
        min(case when measure = 1 and d > 0 and s <= 0.1 + 1e-9 then t end) as p90_first,
        min(case when measure = 2 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_resolution,
        min(case when measure = 2 and d > 0 and s <= 0.1 + 1e-9 then t end) as p90_resolution
    from survival
),

counts as (
select
    count(*) as complaints,
    count(first_response_minutes) as responded_n,
    percentile_cont(0.5) within group (order by first_response_target) as median_first_response_target,
    sum(case when first_response_judged_minutes <= first_response_target then 1 else 0 end)
        as first_response_within_target,
    count(case when first_response_target is not null then first_response_judged_minutes end)
        as targeted_first_n,
    count(resolution_minutes) as resolved_n,
    percentile_cont(0.5) within group (order by resolution_target) as median_resolution_target,
    sum(case when resolution_judged_minutes <= resolution_target then 1 else 0 end) as resolution_within_target,
    count(case when resolution_target is not null then resolution_judged_minutes end) as targeted_resolution_n,
    count(first_response_open_minutes) as awaiting_first_n,
    count(case when first_response_open_minutes > first_response_target then 1 end) as late_awaiting_first_n,
    count(resolution_open_minutes) as still_open_n,
    count(case when resolution_open_minutes > resolution_target then 1 end) as late_open_n
from complaints
)

select
    c.complaints,
    c.responded_n,
    k.median_first as median_first_response_minutes,
    c.median_first_response_target,
    c.first_response_within_target,
    c.targeted_first_n,
    c.resolved_n,
    k.median_resolution as median_resolution_minutes,
    c.median_resolution_target,
    c.resolution_within_target,
    c.targeted_resolution_n,
    k.p90_first as p90_first_response_minutes,
    k.p90_resolution as p90_resolution_minutes,
    c.awaiting_first_n,
    c.late_awaiting_first_n,
    c.still_open_n,
    c.late_open_n
from counts as c
cross join km as k
