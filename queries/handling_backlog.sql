-- handling_backlog: complaints still open at the end of the period, by age at that moment.
-- "Open at the end" = opened before the end of day $end and not resolved by then (resolved
-- later, or open with no resolution). Complaints opened before $start count too: an old open
-- complaint is still backlog; opened_before_period says how many of them there are.
-- Age = days from opening to the end of day $end.
-- Grain: one row per age bucket (all five, zero when empty), youngest first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: bucket_order, age_bucket, open_complaints, opened_before_period, mean_age_days
-- Reads the rollups of servicequality/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/handling_backlog.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments, $categories, $components
with buckets (bucket_order, age_bucket, min_days, max_days) as (
    values
        (1, 'Under 1 day', 0.0, 1.0),
        (2, '1-3 days', 1.0, 3.0),
        (3, '3-7 days', 3.0, 7.0),
        (4, '7-30 days', 7.0, 30.0),
        (5, '30 days or more', 30.0, 1000000.0)
),

open_at_end as (
    select
        o.opened_at,
        date_diff('second', o.opened_at, cast($end as timestamp) + interval 1 day) / 86400.0 as age_days
    from rollup_complaint_open as o
    join branches as b on b.branch_id = o.branch_id
    where o.opened_at < cast($end as timestamp) + interval 1 day
        and (o.closes_at >= cast($end as timestamp) + interval 1 day or o.closes_at is null)
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, o.branch_id))
)

select
    bk.bucket_order,
    bk.age_bucket,
    count(o.age_days) as open_complaints,
    sum(case when o.opened_at < cast($start as timestamp) then 1 else 0 end) as opened_before_period,
    avg(o.age_days) as mean_age_days
from buckets as bk
left join open_at_end as o on o.age_days >= bk.min_days and o.age_days < bk.max_days
group by bk.bucket_order, bk.age_bucket
order by bucket_order
