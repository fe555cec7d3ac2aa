-- tmp_item_respondents: each respondent's item count and sums per component, once for both item
-- rollups (a join costs about half the CPU of a window count over every score at 46M scores).
-- Grain: response_id x component_key
-- Temporary: read by rollup_item_days and rollup_item_totals, dropped after the refresh
select sc.response_id, sc.component_key, count(*) as n_items,
       sum(sc.perception) as p, sum(sc.expectation) as e,
       sum(sc.perception - sc.expectation) as g
from servqual_scores as sc
group by sc.response_id, sc.component_key
