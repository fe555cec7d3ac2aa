-- component_importance: the weight customers give each component.
-- Each respondent's points are normalised to sum 1 over the components they weighted; the
-- component weight is the mean of those shares over the respondents who gave points.
-- Grain: one row per component that received importance points.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns: component_key, n (respondents who gave points), mean_share (0-1)
-- Reads the rollups of servicequality/store/rollups.py (branch x day). Channel and segment
-- selections read the same rollups (their grain includes both).
-- Whole months of the period from rollup_importance_months, its other days from
-- rollup_importance_days. The whole months are [first_full, after_full): first_full = $start when
-- it is the 1st of a month, else the 1st of the next month; after_full = the 1st of the month of
-- $end + 1 day.
with parts as (
    select m.component_key, m.n, m.sum_share
    from rollup_importance_months as m
    where ($channels is null or list_contains($channels, m.channel))
        and ($segments is null or list_contains($segments, m.segment))
        and m.month_start >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month_start < cast(date_trunc('month', $end + interval 1 day) as date)
        and ($regions is null or list_contains($regions, m.region))
        and ($branch_types is null or list_contains($branch_types, m.branch_type))
        and ($branches is null or list_contains($branches, m.branch_id))
    union all
    select d.component_key, d.n, d.sum_share
    from rollup_importance_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on >= $start
        and d.submitted_on <= $end
        and d.submitted_on < case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
    union all
    select d.component_key, d.n, d.sum_share
    from rollup_importance_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on >= $start
        and d.submitted_on <= $end
        and d.submitted_on >= cast(date_trunc('month', $end + interval 1 day) as date)
        and d.submitted_on >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
)

select
    component_key,
    cast(sum(n) as bigint) as n,
    sum(sum_share) / sum(n) as mean_share
from parts
group by component_key
order by component_key
