-- component_complaints: how many complaints point at each component, through the complaint
-- taxonomy (complaint_categories.component_key, joined in the ticket_facts view).
-- Grain: one row per component of the `components` table (complaints = 0 when none point at it).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   component_key, component_name, sort_order
--   complaints            complaints in the filter whose category maps to the component
--   complaints_mapped     complaints in the filter whose category maps to any component
--   complaints_all        all complaints in the filter (unmapped or uncategorised included)
with complaints as (
    select tf.component_key
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

totals as (
    select count(*) as complaints_all, count(component_key) as complaints_mapped
    from complaints
),

per_component as (
    select component_key, count(*) as complaints
    from complaints
    where component_key is not null
    group by component_key
)

select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    coalesce(p.complaints, 0) as complaints,
    t.complaints_mapped,
    t.complaints_all
from components as c
cross join totals as t
left join per_component as p on p.component_key = c.component_key
order by c.sort_order
