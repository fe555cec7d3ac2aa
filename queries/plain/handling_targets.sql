-- handling_targets: complaint handling times against their targets per channel and priority.
-- Times are minutes from opening, percentiles by Kaplan-Meier (Kaplan & Meier 1958) over the handled
-- times and the ages of the complaints still open (censored): S(t) = prod over times t_i <= t of
-- (1 - d_i / n_i), d_i handled at t_i, n_i at risk (time >= t_i); the q-quantile is the smallest
-- handled time with S <= 1 - q (null when not reached). One still open past its target counts late.
-- Grain: one row per channel and priority with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   channel, priority, complaints
--   first_response_target, resolution_target      target minutes for the pair (service_targets)
--   responded_n, median_first_response_minutes, p90_first_response_minutes
--   targeted_first_n, first_response_within_target  complaints with a target judged against it (answered,
--                                 or still waiting past it); of those within it
--   resolved_n, median_resolution_minutes, p90_resolution_minutes
--   targeted_resolution_n, resolution_within_target
--   awaiting_first_n, still_open_n  still awaiting a first response; still open
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
),

observations as (
    select channel, priority, 1 as measure, first_response_minutes as t, 1 as handled from complaints
    where first_response_minutes is not null
    union all
    select channel, priority, 1, first_response_open_minutes, 0 from complaints
    where first_response_open_minutes is not null
    union all
    select channel, priority, 2, resolution_minutes, 1 from complaints where resolution_minutes is not null
    union all
    select channel, priority, 2, resolution_open_minutes, 0 from complaints where resolution_open_minutes is not null
),

steps as (
    select channel, priority, measure, t, sum(handled) as d, count(*) as leaving
    from observations
    group by channel, priority, measure, t
),

at_risk as (
    select
        channel, priority, measure, t, d,
        sum(leaving) over (
            partition by channel, priority, measure order by t desc rows between unbounded preceding and current row
        ) as n
    from steps
),

survival as (
    select
        channel, priority, measure, t, d,
        exp(sum(ln(case when n > d then 1 - d / n else 1e-300 end)) over (
            partition by channel, priority, measure order by t rows between unbounded preceding and current row
        )) as s
    from at_risk
),

km as (
    select
        channel,
        priority,
        min(case when measure = 1 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_first,
        min(case when measure = 1 and d > 0 and s <= 0.1 + 1e-9 then t end) as p90_first,
        min(case when measure = 2 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_resolution,
        min(case when measure = 2 and d > 0 and s <= 0.1 + 1e-9 then t end) as p90_resolution
    from survival
    group by channel, priority
)

select
    c.channel,
    c.priority,
    count(*) as complaints,
    max(c.first_response_target) as first_response_target,
    max(c.resolution_target) as resolution_target,
    count(c.first_response_minutes) as responded_n,
    max(k.median_first) as median_first_response_minutes,
    max(k.p90_first) as p90_first_response_minutes,
    count(case when c.first_response_target is not null then c.first_response_judged_minutes end) as targeted_first_n,
    sum(case when c.first_response_judged_minutes <= c.first_response_target then 1 else 0 end)
        as first_response_within_target,
    count(c.resolution_minutes) as resolved_n,
    max(k.median_resolution) as median_resolution_minutes,
    max(k.p90_resolution) as p90_resolution_minutes,
    count(case when c.resolution_target is not null then c.resolution_judged_minutes end) as targeted_resolution_n,
    sum(case when c.resolution_judged_minutes <= c.resolution_target then 1 else 0 end) as resolution_within_target,
    count(c.first_response_open_minutes) as awaiting_first_n,
    count(c.resolution_open_minutes) as still_open_n
from complaints as c
left join km as k on k.channel = c.channel and k.priority = c.priority
group by c.channel, c.priority
order by c.channel, c.priority
