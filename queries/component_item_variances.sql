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
-- Reads the rollups of servicequality/store/rollups.py: the whole months of the period from the month
-- rollups (branch x month), the days of the months it cuts (at most two) from the day rollups
-- (branch x day). Channel and segment selections
-- read the same rollups (their grain includes both).
with item_rows as (
    select d.component_key, d.item, d.n_items, d.n, d.sp, d.spp, d.se, d.see, d.sg, d.sgg
    from (
        select m.branch_id, m.component_key, m.item, m.n_items, m.n, m.sp, m.spp, m.se, m.see, m.sg, m.sgg
        from rollup_item_months as m
        -- the months that lie wholly inside the period
        where ($channels is null or list_contains($channels, m.channel))
            and ($segments is null or list_contains($segments, m.segment))
            and m.month_start >= $start and m.month_end <= $end
        union all
        select e.branch_id, e.component_key, e.item, e.n_items, e.n, e.sp, e.spp, e.se, e.see, e.sg, e.sgg
        from rollup_item_days as e
        -- the days of the first and last month of the period, unless that month lies wholly inside it
        where ($channels is null or list_contains($channels, e.channel))
            and ($segments is null or list_contains($segments, e.segment))
            and (e.submitted_on between $start and last_day(cast($start as date))
            or e.submitted_on between cast(date_trunc('month', cast($end as date)) as date) and $end)
        and e.submitted_on between $start and $end
        and not (cast(date_trunc('month', e.submitted_on) as date) >= $start and last_day(e.submitted_on) <= $end)
    ) as d
    join branches as b on b.branch_id = d.branch_id
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
),

respondent_rows as (
    select d.component_key, d.n_items, d.n, d.sp, d.spp, d.se, d.see, d.sg, d.sgg
    from (
        select m.branch_id, m.component_key, m.n_items, m.n, m.sp, m.spp, m.se, m.see, m.sg, m.sgg
        from rollup_item_total_months as m
        -- the months that lie wholly inside the period
        where ($channels is null or list_contains($channels, m.channel))
            and ($segments is null or list_contains($segments, m.segment))
            and m.month_start >= $start and m.month_end <= $end
        union all
        select e.branch_id, e.component_key, e.n_items, e.n, e.sp, e.spp, e.se, e.see, e.sg, e.sgg
        from rollup_item_totals as e
        -- the days of the first and last month of the period, unless that month lies wholly inside it
        where ($channels is null or list_contains($channels, e.channel))
            and ($segments is null or list_contains($segments, e.segment))
            and (e.submitted_on between $start and last_day(cast($start as date))
            or e.submitted_on between cast(date_trunc('month', cast($end as date)) as date) and $end)
        and e.submitted_on between $start and $end
        and not (cast(date_trunc('month', e.submitted_on) as date) >= $start and last_day(e.submitted_on) <= $end)
    ) as d
    join branches as b on b.branch_id = d.branch_id
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
),

items as (
    select component_key, count(distinct item) as k
    from item_rows
    group by component_key
),

item_variances as (
    select
        r.component_key,
        r.item,
        sum(r.n) as n, sum(r.sp) as sp, sum(r.spp) as spp, sum(r.se) as se, sum(r.see) as see,
        sum(r.sg) as sg, sum(r.sgg) as sgg
    from item_rows as r
    join items as i on i.component_key = r.component_key and r.n_items = i.k
    group by r.component_key, r.item
),

item_sums as (
    select
        component_key,
        sum(case when n > 1 then cast(n * spp - sp * sp as double) / (n * (n - 1)) end) as perception_item_var,
        sum(case when n > 1 then cast(n * see - se * se as double) / (n * (n - 1)) end) as expectation_item_var,
        sum(case when n > 1 then cast(n * sgg - sg * sg as double) / (n * (n - 1)) end) as gap_item_var
    from item_variances
    group by component_key
),

totals as (
    select
        r.component_key,
        sum(r.n) as n, sum(r.sp) as sp, sum(r.spp) as spp, sum(r.se) as se, sum(r.see) as see,
        sum(r.sg) as sg, sum(r.sgg) as sgg
    from respondent_rows as r
    join items as i on i.component_key = r.component_key and r.n_items = i.k
    group by r.component_key
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
    case when t.n > 1 then cast(t.n * t.spp - t.sp * t.sp as double) / (t.n * (t.n - 1)) end as perception_total_var,
    s.expectation_item_var,
    case when t.n > 1 then cast(t.n * t.see - t.se * t.se as double) / (t.n * (t.n - 1)) end as expectation_total_var,
    s.gap_item_var,
    case when t.n > 1 then cast(t.n * t.sgg - t.sg * t.sg as double) / (t.n * (t.n - 1)) end as gap_total_var
from components as c
left join items as i on i.component_key = c.component_key
left join answered as a on a.component_key = c.component_key
left join totals as t on t.component_key = c.component_key
left join item_sums as s on s.component_key = c.component_key
order by sort_order
