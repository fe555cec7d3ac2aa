-- drill_tickets: the tickets behind a number, one page of them, for "Rows behind the numbers".
-- Sorting is a bound key from a fixed list matched by `case` (text, number and time keys apart,
-- each ascending or descending); an unknown key sorts by ticket id. Never SQL text.
-- Oracle: the rollups' models
-- Grain: one row per ticket in the filter (and cell), at most $limit rows from $offset.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $only_complaints (true: complaints only; false or null: every ticket),
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_category, $cell_family,
--   $cell_component, $cell_segment, $cell_month ('YYYY-MM'), $cell_weekday (1-7, Monday = 1):
--   the explore cell the rows are behind, each null for "any" (keys as in explore_tickets)
--   $sort: ticket_id, branch, channel, category, priority, first_response_minutes,
--   resolution_minutes, satisfaction or opened_at; $descending (boolean); $limit, $offset (rows)
-- Columns: ticket_id, opened_at, branch_id, branch_name, region, branch_type, channel, kind,
--   category, family, component_name, priority, status, first_response_minutes,
--   resolution_minutes, resolution_target (minutes), within_target (resolved within the target; false
--   when still open past it; null while open within it or without a target), reopened_count,
--   escalated, satisfaction, segment
--
-- Optimised: sorted by opening time, the page lies within the last (or first) few days of the
-- period. The ticket counts per day (rollup_ticket_days, rollup_ticket_channels for a channel
-- selection, rollup_ticket_cells for a segment, category or component selection or cell) give the
-- latest (earliest) day from which at least $offset + $limit tickets of the filter remain, and the
-- query reads only tickets opened from (until) that day: the same rows, from a few row groups. The
-- other sort keys read the whole period, as the plain query does.
with day_counts as (
    select d.opened_on, sum(case when $only_complaints then d.complaints else d.tickets end) as n
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where $channels is null and $cell_channel is null
        and $segments is null and $categories is null and $components is null
        and $cell_category is null and $cell_family is null and $cell_component is null and $cell_segment is null
        and d.opened_on between $start and $end
        -- Selected on b: regions, branch_types, branches
        and ($cell_branch is null or d.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_month is null or substring(cast(d.opened_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', d.opened_on) % 7) + 7) % 7 + 1 = $cell_weekday)
    group by d.opened_on
    union all
    select d.opened_on, sum(case when $only_complaints then d.complaints else d.tickets end) as n
    from rollup_ticket_channels as d
    join branches as b on b.branch_id = d.branch_id
    where not ($channels is null and $cell_channel is null)
        and $segments is null and $categories is null and $components is null
        and $cell_category is null and $cell_family is null and $cell_component is null and $cell_segment is null
        and d.opened_on between $start and $end
        -- Selected on b: regions, branch_types, branches; on d: channels
        and ($cell_branch is null or d.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_channel is null or d.channel = $cell_channel)
        and ($cell_month is null or substring(cast(d.opened_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', d.opened_on) % 7) + 7) % 7 + 1 = $cell_weekday)
    group by d.opened_on
    union all
    select d.opened_on, sum(case when $only_complaints then d.complaints else d.tickets end) as n
    from rollup_ticket_cells as d
    join branches as b on b.branch_id = d.branch_id
    left join complaint_categories as cc on cc.category = d.category
    where not ($segments is null and $categories is null and $components is null
            and $cell_category is null and $cell_family is null and $cell_component is null and $cell_segment is null)
        and d.opened_on between $start and $end
        -- Selected on b: regions, branch_types, branches; on d: channels, segments, categories, components
        and ($cell_branch is null or d.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_channel is null or d.channel = $cell_channel)
        and ($cell_category is null or coalesce(d.category, 'Unmapped') = $cell_category)
        and ($cell_family is null or coalesce(cc.family, 'unmapped') = $cell_family)
        and ($cell_component is null or coalesce(d.component_key, 'unmapped') = $cell_component)
        and ($cell_segment is null or d.segment = $cell_segment)
        and ($cell_month is null or substring(cast(d.opened_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', d.opened_on) % 7) + 7) % 7 + 1 = $cell_weekday)
    group by d.opened_on
),

running as (
    select
        opened_on,
        sum(n) over (order by opened_on desc rows between unbounded preceding and current row) as from_last,
        sum(n) over (order by opened_on asc rows between unbounded preceding and current row) as from_first
    from day_counts
),

-- [first_at, after_at): the opening times that can hold the page (the rollups count every selection).
bounds as (
    select
        cast(case
            when coalesce($sort = 'opened_at', false) and coalesce($descending, false)
                then coalesce(max(case when from_last >= $offset + $limit then opened_on end), $start)
            else $start
        end as timestamp) as first_at,
        cast(case
            when coalesce($sort = 'opened_at', false) and not coalesce($descending, false)
                then coalesce(min(case when from_first >= $offset + $limit then opened_on end), $end)
            else $end
        end as timestamp) + interval 1 day as after_at
    from running
),

-- The page when sorted by opening time: the plain query within [first_at, after_at).
opened_rows as (
    select
        tf.ticket_id,
        tf.opened_at,
        tf.branch_id,
        tf.branch_name,
        tf.region,
        tf.branch_type,
        tf.channel,
        tf.kind,
        tf.category,
        tf.family,
        tf.component_key,
        tf.priority,
        tf.status,
        tf.first_response_minutes,
        tf.resolution_minutes,
        tf.resolution_target,
        case
            when tf.resolution_judged_minutes is null or tf.resolution_target is null then null
            else tf.resolution_judged_minutes <= tf.resolution_target
        end as within_target,
        tf.reopened_count,
        tf.escalated,
        tf.satisfaction,
        tf.segment
    from ticket_facts as tf
    where
        coalesce($sort = 'opened_at', false)
        and tf.opened_at >= (select first_at from bounds)
        and tf.opened_at < (select after_at from bounds)
        and tf.opened_on between $start and $end
        and ($only_complaints is null or not $only_complaints or tf.kind = 'complaint')
        -- Selected on tf: regions, branch_types, branches, channels, segments, categories, components
        and ($cell_branch is null or tf.branch_id = $cell_branch)
        and ($cell_region is null or tf.region = $cell_region)
        and ($cell_branch_type is null or tf.branch_type = $cell_branch_type)
        and ($cell_channel is null or tf.channel = $cell_channel)
        and ($cell_category is null or coalesce(tf.category, 'Unmapped') = $cell_category)
        and ($cell_family is null or coalesce(tf.family, 'unmapped') = $cell_family)
        and ($cell_component is null or coalesce(tf.component_key, 'unmapped') = $cell_component)
        and ($cell_segment is null or tf.segment = $cell_segment)
        and ($cell_month is null or substring(cast(tf.opened_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', tf.opened_on) % 7) + 7) % 7 + 1 = $cell_weekday)
    -- Order by $sort on tf: ticket_id, branch = branch_name, channel, category | first_response_minutes, resolution_minutes, satisfaction, priority = (case tf.priority when 'low' then 1 when 'normal' then 2 when 'high' then 3 else 4 end) | opened_at; then ticket_id
    limit $limit offset $offset
),

opened_page as (
    select
        r.ticket_id,
        r.opened_at,
        r.branch_id,
        r.branch_name,
        r.region,
        r.branch_type,
        r.channel,
        r.kind,
        r.category,
        r.family,
        c.name as component_name,
        r.priority,
        r.status,
        r.first_response_minutes,
        r.resolution_minutes,
        r.resolution_target,
        r.within_target,
        r.reopened_count,
        r.escalated,
        r.satisfaction,
        r.segment
    from opened_rows as r
    left join components as c on c.component_key = r.component_key
),

-- Any other sort: the plain query.
other_page as (
    select
        tf.ticket_id,
        tf.opened_at,
        tf.branch_id,
        tf.branch_name,
        tf.region,
        tf.branch_type,
        tf.channel,
        tf.kind,
        tf.category,
        tf.family,
        c.name as component_name,
        tf.priority,
        tf.status,
        tf.first_response_minutes,
        tf.resolution_minutes,
        tf.resolution_target,
        case
            when tf.resolution_judged_minutes is null or tf.resolution_target is null then null
            else tf.resolution_judged_minutes <= tf.resolution_target
        end as within_target,
        tf.reopened_count,
        tf.escalated,
        tf.satisfaction,
        tf.segment
    from ticket_facts as tf
    left join components as c on c.component_key = tf.component_key
    where
        not coalesce($sort = 'opened_at', false)
        and tf.opened_on between $start and $end
        and ($only_complaints is null or not $only_complaints or tf.kind = 'complaint')
        -- Selected on tf: regions, branch_types, branches, channels, segments, categories, components
        and ($cell_branch is null or tf.branch_id = $cell_branch)
        and ($cell_region is null or tf.region = $cell_region)
        and ($cell_branch_type is null or tf.branch_type = $cell_branch_type)
        and ($cell_channel is null or tf.channel = $cell_channel)
        and ($cell_category is null or coalesce(tf.category, 'Unmapped') = $cell_category)
        and ($cell_family is null or coalesce(tf.family, 'unmapped') = $cell_family)
        and ($cell_component is null or coalesce(tf.component_key, 'unmapped') = $cell_component)
        and ($cell_segment is null or tf.segment = $cell_segment)
        and ($cell_month is null or substring(cast(tf.opened_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', tf.opened_on) % 7) + 7) % 7 + 1 = $cell_weekday)
    -- Order by $sort on tf: ticket_id, branch = branch_name, channel, category | first_response_minutes, resolution_minutes, satisfaction, priority = (case tf.priority when 'low' then 1 when 'normal' then 2 when 'high' then 3 else 4 end) | opened_at; then ticket_id
    limit $limit offset $offset
),

page as (
    select * from opened_page
    union all
    select * from other_page
)

select *
from page as tf
-- Order by $sort on tf: ticket_id, branch = branch_name, channel, category | first_response_minutes, resolution_minutes, satisfaction, priority = (case tf.priority when 'low' then 1 when 'normal' then 2 when 'high' then 3 else 4 end) | opened_at; then ticket_id
