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
select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    case
        when c.component_key in (select p.component_key from rollup_response_performance as p)
            or c.component_key in (select m.component_key from survey_item_missing as m)
            then 1
        else 0
    end as asked
from components as c
order by c.sort_order
