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
with scored as (
    select
        sc.response_id,
        sc.component_key,
        sc.item,
        sc.perception,
        sc.expectation,
        sc.perception - sc.expectation as gap
    from servqual_scores as sc
    join survey_responses as r on r.response_id = sc.response_id
    join branches as b on b.branch_id = r.branch_id
    where cast(r.submitted_at as date) between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, r.branch_id))
        and ($channels is null or list_contains($channels, r.channel))
        and ($segments is null or list_contains($segments, r.segment))
),

items as (
    select component_key, count(distinct item) as k
    from scored
    group by component_key
),

respondent_sums as (
    select
        response_id,
        component_key,
        count(*) as n_items,
        sum(perception) as perception,
        sum(expectation) as expectation,
        sum(gap) as gap
    from scored
    group by response_id, component_key
),

complete as (
    select s.*
    from respondent_sums as s
    join items as i on i.component_key = s.component_key and s.n_items = i.k
),

item_variances as (
    select
        s.component_key,
        s.item,
        var_samp(s.perception) as perception_var,
        var_samp(s.expectation) as expectation_var,
        var_samp(s.gap) as gap_var
    from scored as s
    join complete as c on c.response_id = s.response_id and c.component_key = s.component_key
    group by s.component_key, s.item
),

item_sums as (
    select
        component_key,
        sum(perception_var) as perception_item_var,
        sum(expectation_var) as expectation_item_var,
        sum(gap_var) as gap_item_var
    from item_variances
    group by component_key
),

totals as (
    select
        component_key,
        count(*) as n_complete,
        var_samp(perception) as perception_total_var,
        var_samp(expectation) as expectation_total_var,
        var_samp(gap) as gap_total_var
    from complete
    group by component_key
),

answered as (
    select component_key, count(*) as n_answered
    from respondent_sums
    group by component_key
)

select
    c.component_key,
    c.name as component_name,
    c.sort_order,
    coalesce(i.k, 0) as k,
    coalesce(a.n_answered, 0) as n_answered,
    coalesce(t.n_complete, 0) as n_complete,
    s.perception_item_var,
    t.perception_total_var,
    s.expectation_item_var,
    t.expectation_total_var,
    s.gap_item_var,
    t.gap_total_var
from components as c
left join items as i on i.component_key = c.component_key
left join answered as a on a.component_key = c.component_key
left join totals as t on t.component_key = c.component_key
left join item_sums as s on s.component_key = c.component_key
order by c.sort_order
