-- component_item_variances: the aggregates Cronbach's alpha needs, per component, computed here
-- so no raw item scores leave the database. Listwise deletion: only respondents who answered
-- every item of the component that appears in the filter count (k = items seen in the filter).
-- Variances use the n - 1 divisor; alpha is a ratio, so the divisor cancels out.
-- Grain: one row per component of the `components` table (k = 0 when nobody answered).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   component_key, component_name, sort_order
--   k                    distinct items of the component answered in the filter
--   n_answered           respondents with at least one item of the component
--   n_complete           respondents with all k items (those alpha is computed on)
--   perception_item_var  sum over the k items of the item variance of the perception score
--   perception_total_var variance over respondents of the sum of their k perception scores
--   expectation_item_var, expectation_total_var   likewise for the expectation score
--   gap_item_var, gap_total_var                   likewise for the item gap P - E
-- The sums come from the `-- Measures:` lines: store/generate.py generates them from the item rollups
-- (whole months from the month tables, the cut months' days from the day tables; per item and per
-- respondent total, split by how many items the respondent answered) and, as the tests' oracle,
-- from the views item_scores and item_totals.
with
-- Measures: item_rows = item_scores by component_key, item, n_items: n, perception_var, expectation_var, gap_var
-- Measures: respondent_rows = item_totals by component_key, n_items: n, perception_var, expectation_var, gap_var
items as (
    select component_key, count(distinct item) as k
    from item_rows
    group by component_key
),

-- listwise deletion: the respondents who answered all k items
item_sums as (
    select
        r.component_key,
        sum(r.perception_var) as perception_item_var,
        sum(r.expectation_var) as expectation_item_var,
        sum(r.gap_var) as gap_item_var
    from item_rows as r
    join items as i on i.component_key = r.component_key and r.n_items = i.k
    group by r.component_key
),

totals as (
    select r.*
    from respondent_rows as r
    join items as i on i.component_key = r.component_key and r.n_items = i.k
),

answered as (
    select component_key, sum(n) as n_answered
    from respondent_rows
    group by component_key
)

select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    cast(coalesce(i.k, 0) as bigint) as k,
    cast(coalesce(a.n_answered, 0) as bigint) as n_answered,
    cast(coalesce(t.n, 0) as bigint) as n_complete,
    s.perception_item_var,
    t.perception_var as perception_total_var,
    s.expectation_item_var,
    t.expectation_var as expectation_total_var,
    s.gap_item_var,
    t.gap_var as gap_total_var
from components as c
left join items as i on i.component_key = c.component_key
left join answered as a on a.component_key = c.component_key
left join totals as t on t.component_key = c.component_key
left join item_sums as s on s.component_key = c.component_key
order by c.sort_order
