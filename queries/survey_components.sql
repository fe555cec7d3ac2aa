-- survey_components: which components the store's survey asks about at all (any item of theirs
-- answered, with a rating or not, in any period), so a page can name those no question covers.
-- Grain: one row per component of the `components` table.
-- Parameters: none.
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns:
--   component_key, component_name, sort_order
--   asked    1 when some response answered an item of the component (a rating, or "don't know",
--            "not applicable", "not rated" or blank), else 0
-- The components asked, as one distinct set joined once: two `in (select ...)` tests per component
-- cost 31 ms on the medium store (1 M tickets, 2 M response x component rows) against 4.6 ms.
select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    case when a.component_key is not null then 1 else 0 end as asked
from components as c
left join (
    select distinct p.component_key from rollup_response_performance as p
    union
    select distinct m.component_key from survey_item_missing as m
) as a on a.component_key = c.component_key
order by c.sort_order
