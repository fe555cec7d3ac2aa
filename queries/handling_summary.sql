-- handling_summary: how fast complaints are answered and resolved, against their targets.
-- Targets come from service_targets for the ticket's channel and priority.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   complaints                    complaints opened in the period
--   responded_n                   of those, with a first response
--   median_first_response_minutes median minutes to first response (Kaplan-Meier, below)
--   median_first_response_target  median target of the same complaints
--   first_response_within_target  responded within their target
--   resolved_n                    complaints with a resolution time
--   median_resolution_minutes, median_resolution_target, resolution_within_target
--   p90_first_response_minutes, p90_resolution_minutes  90th percentiles
--   targeted_first_n, targeted_resolution_n  complaints with a target judged against it: handled, or
--                                 still open past it (late); the denominators of the within shares
--   awaiting_first_n, late_awaiting_first_n  still awaiting a first response; of those past the target
--   still_open_n, late_open_n     still open (no resolution); of those past the resolution target
-- Times are Kaplan-Meier percentiles: a complaint still open at the data's as-of time
-- (ticket_as_of) is censored at its age; a percentile the survival curve does not reach is null.
-- Measures (rollup_handling_buckets): 1 minutes to first response, 2 to resolution, 3 and 4
-- their targets.
-- The counts come from the `-- Measures:` line (store/generate.py: the ticket rollups, or the base
-- view as the tests' oracle). A channel, segment, category or component selection counts the
-- percentiles' buckets over every day of the period in rollup_complaint_handling (the month tables
-- lack those columns). The plain form computes every rollup from its model (store/models/).
with
-- Measures: counts = tickets: complaints, responded_n, first_response_within_target, targeted_first_n, resolved_n, resolution_within_target, targeted_resolution_n, awaiting_first_n, late_awaiting_first_n, still_open_n, late_open_n

-- Exact percentiles in two steps (servicequality/store/rollups.py; the buckets in store/models/tmp_handling_values.sql): the
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
        -- with a selection the month tables cannot filter, every day of the period
        and (h.opened_on < case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end or ($channels is not null or $segments is not null or $categories is not null or $components is not null))
        and ($regions is null or list_contains($regions, h.region))
        and ($branch_types is null or list_contains($branch_types, h.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
        and ($channels is null or list_contains($channels, h.channel))
        and ($segments is null or list_contains($segments, h.segment))
        and ($categories is null or list_contains($categories, h.category))
        and ($components is null or list_contains($components, h.component_key))
    union all
    select h.*
    from rollup_complaint_handling as h
    where h.opened_on >= $start
        and h.opened_on <= $end
        and h.opened_on >= cast(date_trunc('month', $end + interval 1 day) as date)
        and not ($channels is not null or $segments is not null or $categories is not null or $components is not null)
        and h.opened_on >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and ($regions is null or list_contains($regions, h.region))
        and ($branch_types is null or list_contains($branch_types, h.branch_type))
        and ($branches is null or list_contains($branches, h.branch_id))
        and ($channels is null or list_contains($channels, h.channel))
        and ($segments is null or list_contains($segments, h.segment))
        and ($categories is null or list_contains($categories, h.category))
        and ($components is null or list_contains($components, h.component_key))
),

bucket_counts as (
    select m.bucket, m.n
    from rollup_handling_network_months as m
    where $regions is null and $branch_types is null and $branches is null
        and not ($channels is not null or $segments is not null or $categories is not null or $components is not null)
        and m.month >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month < cast(date_trunc('month', $end + interval 1 day) as date)
        and m.measure in (1, 2, 3, 4)
    union all
    select m.bucket, m.n
    from rollup_handling_months as m
    where not ($regions is null and $branch_types is null and $branches is null)
        and not ($channels is not null or $segments is not null or $categories is not null or $components is not null)
        and m.month >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month < cast(date_trunc('month', $end + interval 1 day) as date)
        and m.measure in (1, 2, 3, 4)
        and ($regions is null or list_contains($regions, m.region))
        and ($branch_types is null or list_contains($branch_types, m.branch_type))
        and ($branches is null or list_contains($branches, m.branch_id))
    union all
    select first_response_bucket as bucket, count(*) from edge_days where first_response_bucket is not null group by first_response_bucket
    union all
    select resolution_bucket as bucket, count(*) from edge_days where resolution_bucket is not null group by resolution_bucket
    union all
    select first_response_target_bucket as bucket, count(*) from edge_days where first_response_target_bucket is not null group by first_response_target_bucket
    union all
    select resolution_target_bucket as bucket, count(*) from edge_days where resolution_target_bucket is not null group by resolution_target_bucket
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

km_quantiles as (
    select cast(0.5 as double) as q
    union all
    select cast(0.9 as double)
),

-- Include: kaplan_meier_ranks (measures 1, 2)

-- The targets' median: percentile_cont(0.5) of total values: h = (total - 1) q, the values at
-- 0-based ranks floor(h) and ceil(h), and lo + (hi - lo) (h - floor(h)) between them (SQL:2003,
-- as DuckDB computes it). The times: h = the Kaplan-Meier rank.
positions as (
    select distinct series, measure, channel, priority, q, cast(total - 1 as double) * q as h
    from cumulative
    cross join (select cast(0.5 as double) as q) as quantiles
    where measure in (3, 4)
    union all
    select k.series, c.measure, c.channel, c.priority, k.q, cast(k.r as double)
    from km_ranks as k
    join (select distinct series, measure, channel, priority from cumulative) as c on c.series = k.series
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
        and ($channels is null or list_contains($channels, v.channel))
        and ($segments is null or list_contains($segments, v.segment))
        and ($categories is null or list_contains($categories, v.category))
        and ($components is null or list_contains($components, v.component_key))
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
    c.responded_n,
    (select value from percentiles where measure = 1 and q = 0.5) as median_first_response_minutes,
    (select value from percentiles where measure = 3) as median_first_response_target,
    c.first_response_within_target,
    c.targeted_first_n,
    c.resolved_n,
    (select value from percentiles where measure = 2 and q = 0.5) as median_resolution_minutes,
    (select value from percentiles where measure = 4) as median_resolution_target,
    c.resolution_within_target,
    c.targeted_resolution_n,
    (select value from percentiles where measure = 1 and q = 0.9) as p90_first_response_minutes,
    (select value from percentiles where measure = 2 and q = 0.9) as p90_resolution_minutes,
    c.awaiting_first_n,
    c.late_awaiting_first_n,
    c.still_open_n,
    c.late_open_n
from counts as c
