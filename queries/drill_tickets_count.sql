-- drill_tickets_count: how many tickets the rows page lists (drill_tickets), for its pagination.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $only_complaints (true: complaints only; false or null: every ticket),
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_category, $cell_family,
--   $cell_component, $cell_segment, $cell_month ('YYYY-MM'), $cell_weekday (1-7, Monday = 1):
--   the explore cell the rows are behind, each null for "any" (keys as in explore_tickets)
-- Columns: total_rows
--
-- Optimised: tickets and complaints per branch and day (rollup_ticket_days; rollup_ticket_channels
-- for a channel selection) answer the period, branch and channel selections and the branch, region,
-- branch type, channel, month and weekday cells. A segment, category or component selection (or
-- cell) counts the tickets themselves, as the plain query does.
with counts as (
    select sum(case when $only_complaints then d.complaints else d.tickets end) as n
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($segments is null and $categories is null and $components is null and $cell_category is null
        and $cell_family is null and $cell_component is null and $cell_segment is null)
        and $channels is null and $cell_channel is null
        and d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
        and ($cell_branch is null or d.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_month is null or substring(cast(d.opened_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', d.opened_on) % 7) + 7) % 7 + 1 = $cell_weekday)

    union all

    select sum(case when $only_complaints then d.complaints else d.tickets end) as n
    from rollup_ticket_channels as d
    join branches as b on b.branch_id = d.branch_id
    where ($segments is null and $categories is null and $components is null and $cell_category is null
        and $cell_family is null and $cell_component is null and $cell_segment is null)
        and not ($channels is null and $cell_channel is null)
        and d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
        and ($cell_branch is null or d.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_month is null or substring(cast(d.opened_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', d.opened_on) % 7) + 7) % 7 + 1 = $cell_weekday)
        and ($channels is null or list_contains($channels, d.channel))
        and ($cell_channel is null or d.channel = $cell_channel)

    union all

    select count(*) as n
    from ticket_facts as tf
    where
        not ($segments is null and $categories is null and $components is null and $cell_category is null
            and $cell_family is null and $cell_component is null and $cell_segment is null)
        and tf.opened_on between $start and $end
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
)

select cast(coalesce(sum(n), 0) as bigint) as total_rows
from counts
