-- complaint_pareto: complaints per category with the family and component it points at, for
-- the Pareto chart. The mapping from category to family and component is data
-- (complaint_categories); a complaint whose category is missing or unmapped is 'Unmapped'.
-- Grain: one row per category with complaints in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: category, family ('product', 'service' or 'unmapped'), component_key,
--   component_name, complaints
select
    coalesce(tf.category, 'Unmapped') as category,
    coalesce(tf.family, 'unmapped') as family,
    coalesce(tf.component_key, 'unmapped') as component_key,
    coalesce(c.name, 'Unmapped') as component_name,
    count(*) as complaints
from ticket_facts as tf
left join components as c on c.component_key = tf.component_key
where tf.kind = 'complaint'
    and tf.opened_on between $start and $end
    and ($regions is null or list_contains($regions, tf.region))
    and ($branch_types is null or list_contains($branch_types, tf.branch_type))
    and ($branches is null or list_contains($branches, tf.branch_id))
    and ($channels is null or list_contains($channels, tf.channel))
    and ($segments is null or list_contains($segments, tf.segment))
    and ($categories is null or list_contains($categories, tf.category))
    and ($components is null or list_contains($components, tf.component_key))
group by coalesce(tf.category, 'Unmapped'), coalesce(tf.family, 'unmapped'),
    coalesce(tf.component_key, 'unmapped'), coalesce(c.name, 'Unmapped')
order by complaints desc, category
