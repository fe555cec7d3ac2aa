-- visit_bounds: the first and last day that holds visits (the return rate's facts). Apart from
-- date_bounds, which reads rollups only: no rollup holds visits, and a rollups-only snapshot leaves
-- them in its history (the sidebar then reads them only on Spark).
-- Grain: one row.
-- Parameters: none.
-- Columns: first_day, last_day (dates; null when the store holds no visits)
select min(visited_on) as first_day, max(visited_on) as last_day
from visits
