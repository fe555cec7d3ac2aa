-- explore_tickets: complaints and their handling per cell of one or two chosen dimensions, for
-- the Explore page (count, first response and resolution times, share resolved within target,
-- and the numerator of the complaint rate). The dimensions are bound values matched by `case`,
-- never SQL text: an unknown dimension gives a null key (one cell).
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
--   median_first_response_minutes median minutes to first response
--   resolved_n                    complaints with a resolution time
--   median_resolution_minutes     median minutes to resolution
--   targeted_resolution_n         resolved complaints with a resolution target (the share's denominator)
--   resolution_within_target      of those, resolved within their target
with cells as (
    select
        case $dim1
            when 'branch' then tf.branch_id
            when 'region' then tf.region
            when 'branch_type' then tf.branch_type
            when 'channel' then tf.channel
            when 'category' then coalesce(tf.category, 'Unmapped')
            when 'family' then coalesce(tf.family, 'unmapped')
            when 'component' then coalesce(tf.component_key, 'unmapped')
            when 'segment' then tf.segment
            when 'month' then substring(cast(tf.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', tf.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then tf.branch_id
            when 'region' then tf.region
            when 'branch_type' then tf.branch_type
            when 'channel' then tf.channel
            when 'category' then coalesce(tf.category, 'Unmapped')
            when 'family' then coalesce(tf.family, 'unmapped')
            when 'component' then coalesce(tf.component_key, 'unmapped')
            when 'segment' then tf.segment
            when 'month' then substring(cast(tf.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', tf.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        tf.first_response_minutes,
        tf.resolution_minutes,
        tf.resolution_target
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

select
    key1,
    key2,
    count(*) as complaints,
    count(first_response_minutes) as responded_n,
    percentile_cont(0.5) within group (order by first_response_minutes) as median_first_response_minutes,
    count(resolution_minutes) as resolved_n,
    percentile_cont(0.5) within group (order by resolution_minutes) as median_resolution_minutes,
    count(case when resolution_target is not null then resolution_minutes end) as targeted_resolution_n,
    sum(case when resolution_minutes <= resolution_target then 1 else 0 end) as resolution_within_target
from cells
group by key1, key2
order by key1, key2
