-- explore_served: customers served per cell, the denominator of the complaint rate on the Explore
-- page. Customers served are counted per branch and day, so only branch, region, branch type,
-- month and weekday split them; any other dimension gives a null key (the whole filter's
-- customers served, as in complaint_summary). Channel, segment, category and component filters
-- do not narrow customers served.
-- Grain: one row per (key1, key2) with customers served in the filter.
-- Parameters: $start, $end, $regions, $branches, $branch_types, $dim1, $dim2
-- Columns:
--   key1, key2   the cell: the value of $dim1 and $dim2 (null when that dimension is null or does
--                not apply). branch -> branch_id, component -> component_key, month -> 'YYYY-MM',
--                weekday -> '1'..'7' (Monday = 1), others -> the value itself
--   customers_served   customers served in the cell
with cells as (
    select
        case $dim1
            when 'branch' then f.branch_id
            when 'region' then f.region
            when 'branch_type' then f.branch_type
            when 'month' then substring(cast(f.served_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', f.served_on) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then f.branch_id
            when 'region' then f.region
            when 'branch_type' then f.branch_type
            when 'month' then substring(cast(f.served_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', f.served_on) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        f.customers
    from customers_served_facts as f
    where f.served_on between $start and $end
        -- Selected on f: regions, branch_types, branches
)

select key1, key2, sum(customers) as customers_served
from cells
group by key1, key2
order by key1, key2
