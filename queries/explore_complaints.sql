-- explore_complaints: complaints per cell of one or two chosen dimensions, for the Explore page's
-- count and complaint rate (the rate's numerator; its denominator is explore_served). The same
-- cells as explore_tickets without the handling times. The dimensions are bound values matched by
-- `case`, never SQL text: an unknown dimension gives a null key (one cell).
-- Grain: one row per (key1, key2) with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $dim1, $dim2 (dimension keys: branch, region, branch_type, channel, category,
--   family, component, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell: the value of $dim1 and $dim2 (null when that dimension is null or does
--                not apply). branch -> branch_id, component -> component_key, month -> 'YYYY-MM',
--                weekday -> '1'..'7' (Monday = 1), others -> the value itself
--   complaints   complaints opened in the period
--
-- Optimised: the period and the branch, region and branch type selections are answered from
-- the day rollups, one of which is chosen by the dimensions and selections (each branch below
-- runs only when its bound condition holds; the others are pruned):
--   branch, region, branch type, month, weekday, no selection of channel, segment, category
--     or component                                   -> rollup_ticket_days (branch x day)
--   those and channel, a channel selection           -> rollup_ticket_channels (x channel)
--   those (not channel) and category, family, component, a category or component selection
--                                                    -> rollup_ticket_categories (x category)
--   anything else (segment, channel with category, an unknown dimension) -> ticket_facts, as
--   the plain query. Days with tickets but no complaint give no row, as in the plain query.
with cells as (
    select
        case $dim1
            when 'branch' then d.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'month' then substring(cast(d.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', d.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then d.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'month' then substring(cast(d.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', d.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        d.complaints
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true)
            and $channels is null and $segments is null and $categories is null and $components is null)
        and d.complaints > 0
        and d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))

    union all

    select
        case $dim1
            when 'branch' then h.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'channel' then h.channel
            when 'month' then substring(cast(h.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', h.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then h.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'channel' then h.channel
            when 'month' then substring(cast(h.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', h.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        h.complaints
    from rollup_ticket_channels as h
    join branches as b on b.branch_id = h.branch_id
    where not (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true)
            and $channels is null and $segments is null and $categories is null and $components is null)
        and (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'channel'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'channel'), true)
            and $segments is null and $categories is null and $components is null)
        and h.complaints > 0
        and h.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
        and ($channels is null or list_contains($channels, h.channel))

    union all

    select
        case $dim1
            when 'branch' then k.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'category' then coalesce(k.category, 'Unmapped')
            when 'family' then coalesce(c.family, 'unmapped')
            when 'component' then coalesce(c.component_key, 'unmapped')
            when 'month' then substring(cast(k.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', k.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then k.branch_id
            when 'region' then b.region
            when 'branch_type' then b.branch_type
            when 'category' then coalesce(k.category, 'Unmapped')
            when 'family' then coalesce(c.family, 'unmapped')
            when 'component' then coalesce(c.component_key, 'unmapped')
            when 'month' then substring(cast(k.opened_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', k.opened_on) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        k.complaints
    from rollup_ticket_categories as k
    join branches as b on b.branch_id = k.branch_id
    left join complaint_categories as c on c.category = k.category
    where not (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true)
            and $channels is null and $segments is null and $categories is null and $components is null)
        and not (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'channel'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'channel'), true)
            and $segments is null and $categories is null and $components is null)
        and (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'category', 'family', 'component'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'category', 'family', 'component'), true)
            and $channels is null and $segments is null)
        and k.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, k.branch_id))
        and ($categories is null or list_contains($categories, k.category))
        and ($components is null or list_contains($components, c.component_key))

    union all

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
        1 as complaints
    from ticket_facts as tf
    where not (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday'), true)
            and $channels is null and $segments is null and $categories is null and $components is null)
        and not (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'channel'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'channel'), true)
            and $segments is null and $categories is null and $components is null)
        and not (coalesce($dim1 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'category', 'family', 'component'), true) and coalesce($dim2 in ('branch', 'region', 'branch_type', 'month', 'weekday', 'category', 'family', 'component'), true)
            and $channels is null and $segments is null)
        and tf.kind = 'complaint'
        and tf.opened_on between $start and $end
        and ($regions is null or list_contains($regions, tf.region))
        and ($branch_types is null or list_contains($branch_types, tf.branch_type))
        and ($branches is null or list_contains($branches, tf.branch_id))
        and ($channels is null or list_contains($channels, tf.channel))
        and ($segments is null or list_contains($segments, tf.segment))
        and ($categories is null or list_contains($categories, tf.category))
        and ($components is null or list_contains($components, tf.component_key))
)

select key1, key2, cast(sum(complaints) as bigint) as complaints
from cells
group by key1, key2
order by key1, key2
