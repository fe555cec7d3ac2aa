-- explore_tickets: complaints and their handling per cell of one or two chosen dimensions, for
-- the Explore page (count, first response and resolution times, share resolved within target,
-- and the numerator of the complaint rate). The dimensions are bound values matched by `case`,
-- never SQL text: an unknown dimension gives a null key (one cell).
-- Oracle: rollup_complaint_handling -> complaint_facts
-- Grain: one row per (key1, key2) with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $dim1, $dim2 (dimension keys: branch, region, branch_type, channel, category,
--   family, component, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell: the value of $dim1 and $dim2 (null when that dimension is null or does
--                not apply). branch -> branch_id, component -> component_key, month -> 'YYYY-MM',
--                weekday -> '1'..'7' (Monday = 1), others -> the value itself
--   complaints                    complaints opened in the period
--   responded_n                   of those, with a first response
--   median_first_response_minutes median minutes to first response (Kaplan-Meier, below)
--   resolved_n                    complaints with a resolution time
--   median_resolution_minutes     median minutes to resolution (Kaplan-Meier)
--   targeted_resolution_n         complaints with a resolution target judged against it: resolved, or
--                                 still open past it (late); the share's denominator
--   resolution_within_target      of those, resolved within their target
--   still_open_n                  complaints still open
--
-- Reads the complaints with their handling times (rollup_complaint_handling, in date order: a period
-- reads only its row groups), whose columns answer every dimension and selection. The plain form
-- reads the complaints of ticket_facts (the view complaint_facts) instead.
with cells as (
    select
        -- Cell keys on h by opened_on: branch, region, branch_type, channel, category, family, component, segment, month, weekday
        h.first_response_minutes,
        h.resolution_minutes,
        h.resolution_target,
        h.first_response_open_minutes,
        h.resolution_open_minutes,
        h.resolution_judged_minutes
    from rollup_complaint_handling as h
    where h.opened_on between $start and $end
        -- Selected on h: regions, branch_types, branches, channels, segments, categories, components
),

-- Kaplan-Meier medians per cell (Kaplan & Meier 1958): complaints still open are censored at their
-- age at the data's as-of time. S(t) = prod over times t_i <= t of (1 - d_i / n_i), d_i handled at
-- t_i, n_i at risk (time >= t_i); the median is the smallest handled time with S <= 0.5.
observations as (
    select key1, key2, 1 as measure, first_response_minutes as t, 1 as handled from cells
    where first_response_minutes is not null
    union all
    select key1, key2, 1, first_response_open_minutes, 0 from cells where first_response_open_minutes is not null
    union all
    select key1, key2, 2, resolution_minutes, 1 from cells where resolution_minutes is not null
    union all
    select key1, key2, 2, resolution_open_minutes, 0 from cells where resolution_open_minutes is not null
),

steps as (
    select key1, key2, measure, t, sum(handled) as d, count(*) as leaving
    from observations
    group by key1, key2, measure, t
),

at_risk as (
    select
        key1, key2, measure, t, d,
        sum(leaving) over (
            partition by key1, key2, measure order by t desc rows between unbounded preceding and current row
        ) as n
    from steps
),

survival as (
    select
        key1, key2, measure, t, d,
        exp(sum(ln(case when n > d then 1 - d / n else 1e-300 end)) over (
            partition by key1, key2, measure order by t rows between unbounded preceding and current row
        )) as s
    from at_risk
),

km as (
    select
        key1,
        key2,
        min(case when measure = 1 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_first,
        min(case when measure = 2 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_resolution
    from survival
    group by key1, key2
)

select
    c.key1,
    c.key2,
    count(*) as complaints,
    count(c.first_response_minutes) as responded_n,
    max(k.median_first) as median_first_response_minutes,
    count(c.resolution_minutes) as resolved_n,
    max(k.median_resolution) as median_resolution_minutes,
    count(case when c.resolution_target is not null then c.resolution_judged_minutes end) as targeted_resolution_n,
    sum(case when c.resolution_judged_minutes <= c.resolution_target then 1 else 0 end) as resolution_within_target,
    count(c.resolution_open_minutes) as still_open_n
from cells as c
left join km as k on k.key1 is not distinct from c.key1 and k.key2 is not distinct from c.key2
group by c.key1, c.key2
order by c.key1, c.key2
