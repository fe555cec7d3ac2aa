-- filter_values: the values the sidebar offers for each selection: channels and customer segments
-- that occur in tickets or surveys, complaint categories that occur in tickets, branch types and
-- service components.
-- Grain: one row per (dimension, value).
-- Parameters: none.
-- Reads rollup_dimension_values (servicequality/store/rollups.py) for the channels, segments and
-- categories found in tickets and surveys, instead of scanning every ticket: the view dimension_values
-- materialised.
-- Oracle: rollup_dimension_values -> dimension_values
-- Columns:
--   dimension   'channel' | 'segment' | 'branch_type' | 'category' | 'component'
--   value       what the filter binds (the component's key for components)
--   label       what the sidebar shows (the component's name; the value otherwise)
--   sort_order  display order within the dimension (components in their canonical order)
select dimension, value, label, sort_order
from (
    select dimension, value, value as label, 0 as sort_order from rollup_dimension_values
    union
    select 'branch_type', branch_type, branch_type, 0 from branches
    union
    select 'component', component_key, name, sort_order from components
) as v
order by dimension, sort_order, value
