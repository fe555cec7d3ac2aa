-- handling_quality: how complaints opened in the period were handled, beyond the medians of
-- handling_summary: 90th percentiles, reopening, escalation and satisfaction with the handling.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   complaints                    complaints opened in the period
--   p90_first_response_minutes    90th percentile of minutes to first response (answered ones)
--   p90_resolution_minutes        90th percentile of minutes to resolution (resolved ones)
--   reopened                      complaints reopened at least once
--   reopened_n                    complaints whose reopening is recorded (the share's denominator)
--   escalated                     complaints escalated
--   escalated_n                   complaints whose escalation is recorded
--   satisfaction_n                complaints with a satisfaction score (1-5) for the handling
--   mean_satisfaction             mean of those scores
--   satisfied                     scores of 4 or 5
-- Measures (rollup_handling_buckets): 1 minutes to first response, 2 to resolution.
-- Reads the rollups of servicequality/store/rollups.py (branch x day). With any selection below set,
-- store.run_query runs queries/plain/handling_quality.sql instead (same rows, no rollups).
-- Plain when set: $channels, $segments, $categories, $components
with counts as (
    select
        cast(coalesce(sum(d.complaints), 0) as bigint) as complaints,
        sum(d.reopened) as reopened,
        cast(coalesce(sum(d.reopened_n), 0) as bigint) as reopened_n,
        sum(d.escalated) as escalated,
        cast(coalesce(sum(d.escalated_n), 0) as bigint) as escalated_n,
        cast(coalesce(sum(d.satisfaction_n), 0) as bigint) as satisfaction_n,
        cast(sum(d.satisfaction_sum) as double) / sum(d.satisfaction_n) as mean_satisfaction,
        sum(d.satisfied) as satisfied
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
),

-- Exact percentiles in two steps (servicequality/store/rollups.py, _refresh_complaint_handling): the
-- count of each series' values per bucket in the filter gives the bucket holding each wanted
-- rank and the rank inside it; only those buckets' values are sorted. Counts come from whole
-- months (rollup_handling_network_months with no branch selection, rollup_handling_months with
-- one) and from the other days of the period (rollup_complaint_handling). The whole months are
-- [first_full, after_full): first_full = $start when it is the 1st of a month, else the 1st of
-- the next month; after_full = the 1st of the month of $end + 1 day.
edge_days as (
    select h.*
    from rollup_complaint_handling as h
    where h.opened_on >= $start
        and h.opened_on <= $end
        and h.opened_on < case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and ($regions is null or list_contains($regions, h.region))
        and ($branch_types is null or list_contains($branch_types, h.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
    union all
    select h.*
    from rollup_complaint_handling as h
    where h.opened_on >= $start
        and h.opened_on <= $end
        and h.opened_on >= cast(date_trunc('month', $end + interval 1 day) as date)
        and h.opened_on >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and ($regions is null or list_contains($regions, h.region))
        and ($branch_types is null or list_contains($branch_types, h.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
),

bucket_counts as (
    select m.bucket, m.n
    from rollup_handling_network_months as m
    where $regions is null and $branch_types is null and $branches is null
        and m.month >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month < cast(date_trunc('month', $end + interval 1 day) as date)
        and m.measure in (1, 2)
    union all
    select m.bucket, m.n
    from rollup_handling_months as m
    where not ($regions is null and $branch_types is null and $branches is null)
        and m.month >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month < cast(date_trunc('month', $end + interval 1 day) as date)
        and m.measure in (1, 2)
        and ($regions is null or list_contains($regions, m.region))
        and ($branch_types is null or list_contains($branch_types, m.branch_type))
        and ($branches is null or list_contains($branches, m.branch_id))
    union all
    select first_response_bucket as bucket, count(*) from edge_days where first_response_bucket is not null group by first_response_bucket
    union all
    select resolution_bucket as bucket, count(*) from edge_days where resolution_bucket is not null group by resolution_bucket
),
cumulative as (
    select
        k.series,
        k.measure,
        k.channel,
        k.priority,
        c.bucket,
        c.n,
        k.low,
        k.high,
        sum(c.n) over (partition by k.series order by c.bucket rows between unbounded preceding and current row) as upto,
        sum(c.n) over (partition by k.series) as total
    from (select bucket, sum(n) as n from bucket_counts group by bucket) as c
    join rollup_handling_buckets as k on k.bucket = c.bucket
),

-- percentile_cont(q) of total values: h = (total - 1) q, the values at 0-based ranks floor(h)
-- and ceil(h), and lo + (hi - lo) (h - floor(h)) between them (SQL:2003, as DuckDB computes it).
positions as (
    select distinct series, measure, channel, priority, q, cast(total - 1 as double) * q as h
    from cumulative
    cross join (select cast(0.9 as double) as q) as quantiles
),

ranks as (
    select series, floor(h) as r from positions
    union
    select series, ceil(h) from positions
),

wanted as (
    select k.series, k.r, c.bucket, k.r - (c.upto - c.n) + 1 as position, c.low, c.high
    from ranks as k
    join cumulative as c on c.series = k.series and k.r >= c.upto - c.n and k.r < c.upto
),

bucket_values as (
    select
        v.bucket,
        v.value,
        row_number() over (partition by v.bucket order by v.value) as position
    from rollup_handling_values as v
    where v.opened_on >= $start
        and v.opened_on <= $end
        and ($regions is null or list_contains($regions, v.region))
        and ($branch_types is null or list_contains($branch_types, v.branch_type))
        and ($branches is null or list_contains($branches, v.branch_id))
        and v.bucket in (select bucket from wanted where low < high)
),

picked as (
    select w.series, w.r, w.low as value
    from wanted as w
    where w.low = w.high
    union all
    select w.series, w.r, v.value
    from wanted as w
    join bucket_values as v on v.bucket = w.bucket and v.position = w.position
    where w.low < w.high
),

percentiles as (
    select p.measure, p.channel, p.priority, p.q, lo.value + (hi.value - lo.value) * (p.h - floor(p.h)) as value
    from positions as p
    join picked as lo on lo.series = p.series and lo.r = floor(p.h)
    join picked as hi on hi.series = p.series and hi.r = ceil(p.h)
)


select
    c.complaints,
    (select value from percentiles where measure = 1) as p90_first_response_minutes,
    (select value from percentiles where measure = 2) as p90_resolution_minutes,
    c.reopened,
    c.reopened_n,
    c.escalated,
    c.escalated_n,
    c.satisfaction_n,
    c.mean_satisfaction,
    c.satisfied
from counts as c
