-- drill_tickets: the tickets behind a number, one page of them, for "Rows behind the numbers".
-- Sorting is a bound key from a fixed list matched by `case` (text, number and time keys apart,
-- each ascending or descending); an unknown key sorts by ticket id. Never SQL text.
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
    tf.opened_on between $start and $end
    and ($only_complaints is null or not $only_complaints or tf.kind = 'complaint')
    and ($regions is null or list_contains($regions, tf.region))
    and ($branch_types is null or list_contains($branch_types, tf.branch_type))
    and ($branches is null or list_contains($branches, tf.branch_id))
    and ($channels is null or list_contains($channels, tf.channel))
    and ($segments is null or list_contains($segments, tf.segment))
    and ($categories is null or list_contains($categories, tf.category))
    and ($components is null or list_contains($components, tf.component_key))
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
order by
    case when $descending then null else case $sort
        when 'ticket_id' then tf.ticket_id
        when 'branch' then tf.branch_name
        when 'channel' then tf.channel
        when 'category' then tf.category
    end end asc nulls last,
    case when $descending then case $sort
        when 'ticket_id' then tf.ticket_id
        when 'branch' then tf.branch_name
        when 'channel' then tf.channel
        when 'category' then tf.category
    end end desc nulls last,
    case when $descending then null else case $sort
        when 'first_response_minutes' then tf.first_response_minutes
        when 'resolution_minutes' then tf.resolution_minutes
        when 'satisfaction' then tf.satisfaction
        when 'priority' then case tf.priority when 'low' then 1 when 'normal' then 2 when 'high' then 3 else 4 end
    end end asc nulls last,
    case when $descending then case $sort
        when 'first_response_minutes' then tf.first_response_minutes
        when 'resolution_minutes' then tf.resolution_minutes
        when 'satisfaction' then tf.satisfaction
        when 'priority' then case tf.priority when 'low' then 1 when 'normal' then 2 when 'high' then 3 else 4 end
    end end desc nulls last,
    case when $descending then null else case $sort
        when 'opened_at' then tf.opened_at
    end end asc nulls last,
    case when $descending then case $sort
        when 'opened_at' then tf.opened_at
    end end desc nulls last,
    tf.ticket_id
limit $limit offset $offset
