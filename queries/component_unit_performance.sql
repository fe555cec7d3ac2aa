-- component_unit_performance: each component's performance per branch or per region (the ratings map).
-- Grain: one row per unit (branch, or region when $by = 'region') and rated component.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components, $by
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns: unit_id, unit_name, component_key, component_name, sort_order,
--   n (respondents), mean_performance (0-100), sd_performance
with rated as (
    select
        case when $by = 'region' then p.region else p.branch_id end as unit_id,
        p.component_key,
        p.performance
    from rollup_response_performance as p
    where p.submitted_on between $start and $end
        -- Selected on p: regions, branch_types, branches, channels, segments, components
),

names as (
    select distinct
        case when $by = 'region' then region else branch_id end as unit_id,
        case when $by = 'region' then region else name end as unit_name
    from branches
)

select
    r.unit_id,
    n.unit_name,
    r.component_key,
    c.name as component_name,
    c.sort_order,
    count(*) as n,
    avg(r.performance) as mean_performance,
    stddev_samp(r.performance) as sd_performance
from rated as r
join names as n on n.unit_id = r.unit_id
join components as c on c.component_key = r.component_key
group by r.unit_id, n.unit_name, r.component_key, c.name, c.sort_order
order by n.unit_name, c.sort_order
