-- drill_tickets_count: how many tickets the rows page lists (drill_tickets), for its pagination.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $only_complaints (true: complaints only; false or null: every ticket),
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_category, $cell_family,
--   $cell_component, $cell_segment, $cell_month ('YYYY-MM'), $cell_weekday (1-7, Monday = 1):
--   the explore cell the rows are behind, each null for "any" (keys as in explore_tickets)
-- Columns: total_rows
select count(*) as total_rows
from ticket_facts as tf
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
