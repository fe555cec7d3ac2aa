-- handling_targets: complaint handling times against their targets per channel and priority.
-- Times are minutes from opening, percentiles by Kaplan-Meier (complaints still open censored at
-- their age at the data's as-of time, ticket_as_of); one still open past its target counts late.
-- Grain: one row per channel and priority with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   channel, priority, complaints
--   first_response_target, resolution_target      target minutes for the pair (service_targets)
--   responded_n, median_first_response_minutes, p90_first_response_minutes
--   targeted_first_n, first_response_within_target  complaints with a target judged against it (answered,
--                                 or still waiting past it); of those within it
--   resolved_n, median_resolution_minutes, p90_resolution_minutes
--   targeted_resolution_n, resolution_within_target
--   awaiting_first_n, still_open_n  still awaiting a first response; still open
-- Percentiles per pair: measures 5 (minutes to first response) and 6 (to resolution) of
-- rollup_handling_buckets, one series per channel and priority.
-- Reads the rollups of servicequality/store/rollups.py. A channel, segment, category or component
-- selection counts every day of the period from rollup_complaint_handling (the month tables lack
-- those columns).
-- Exact percentiles in two steps (servicequality/store/rollups.py; the buckets in store/models/tmp_handling_values.sql): the
-- count of each series' values per bucket in the filter gives the bucket holding each wanted
-- rank and the rank inside it; only those buckets' values are sorted. With no branch selection
-- the counts come from whole months (rollup_handling_network_months) and the other days of the
-- period (rollup_complaint_handling); with one, from every day of the period. The whole months are
-- [first_full, after_full): first_full = $start when it is the 1st of a month, else the 1st of
-- the next month; after_full = the 1st of the month of $end + 1 day.
with partial_days as (
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

-- The complaints counted day by day: with no branch selection the days outside whole months,
-- with one every day of the period (the per-pair month counts exist for the network only).
counted_days as (
    select d.*
    from partial_days as d
    where ($regions is null and $branch_types is null and $branches is null)
    union all
    select h.*
    from rollup_complaint_handling as h
    where not ($regions is null and $branch_types is null and $branches is null)
        and h.opened_on >= $start
        and h.opened_on <= $end
        and h.branch_id in (
            select b.branch_id
            from branches as b
            where ($regions is null or list_contains($regions, b.region))
                and ($branch_types is null or list_contains($branch_types, b.branch_type))
                and ($branches is null or list_contains($branches, b.branch_id))
        )
        and ($channels is null or list_contains($channels, h.channel))
        and ($segments is null or list_contains($segments, h.segment))
        and ($categories is null or list_contains($categories, h.category))
        and ($components is null or list_contains($components, h.component_key))
),

bucket_counts as (
    select m.bucket, m.n
    from rollup_handling_network_months as m
    where ($regions is null and $branch_types is null and $branches is null)
        and not ($channels is not null or $segments is not null or $categories is not null or $components is not null)
        and m.month >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month < cast(date_trunc('month', $end + interval 1 day) as date)
        and m.measure in (5, 6)
    union all
    select first_response_pair_bucket as bucket, count(*) from counted_days
    where first_response_pair_bucket is not null group by first_response_pair_bucket
    union all
    select resolution_pair_bucket as bucket, count(*) from counted_days
    where resolution_pair_bucket is not null group by resolution_pair_bucket
),

pair_counts as (
    select
        m.channel, m.priority, m.complaints, m.first_response_target, m.resolution_target, m.responded_n,
        m.targeted_first_n, m.first_response_within_target, m.resolved_n, m.targeted_resolution_n,
        m.resolution_within_target, m.awaiting_first_n, m.still_open_n
    from rollup_complaint_pair_months as m
    where m.month >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month < cast(date_trunc('month', $end + interval 1 day) as date)
        and ($regions is null or list_contains($regions, m.region))
        and ($branch_types is null or list_contains($branch_types, m.branch_type))
        and ($branches is null or list_contains($branches, m.branch_id))
        and not ($channels is not null or $segments is not null or $categories is not null or $components is not null)
    union all
    select
        h.channel,
        h.priority,
        count(*),
        max(h.first_response_target),
        max(h.resolution_target),
        count(h.first_response_minutes),
        count(case when h.first_response_target is not null then h.first_response_judged_minutes end),
        sum(case when h.first_response_judged_minutes <= h.first_response_target then 1 else 0 end),
        count(h.resolution_minutes),
        count(case when h.resolution_target is not null then h.resolution_judged_minutes end),
        sum(case when h.resolution_judged_minutes <= h.resolution_target then 1 else 0 end),
        count(h.first_response_open_minutes),
        count(h.resolution_open_minutes)
    from partial_days as h
    group by h.channel, h.priority
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

-- Include: kaplan_meier_ranks (measures 5, 6)

-- The value at the Kaplan-Meier rank: h = that rank (the machinery below reads ranks floor(h)
-- and ceil(h), here the same).
positions as (
    select k.series, c.measure, c.channel, c.priority, k.q, cast(k.r as double) as h
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
    c.channel,
    c.priority,
    cast(sum(c.complaints) as bigint) as complaints,
    max(c.first_response_target) as first_response_target,
    max(c.resolution_target) as resolution_target,
    cast(sum(c.responded_n) as bigint) as responded_n,
    (select p.value from percentiles as p
        where p.measure = 5 and p.channel = c.channel and p.priority = c.priority and p.q = 0.5)
        as median_first_response_minutes,
    (select p.value from percentiles as p
        where p.measure = 5 and p.channel = c.channel and p.priority = c.priority and p.q = 0.9)
        as p90_first_response_minutes,
    cast(sum(c.targeted_first_n) as bigint) as targeted_first_n,
    sum(c.first_response_within_target) as first_response_within_target,
    cast(sum(c.resolved_n) as bigint) as resolved_n,
    (select p.value from percentiles as p
        where p.measure = 6 and p.channel = c.channel and p.priority = c.priority and p.q = 0.5)
        as median_resolution_minutes,
    (select p.value from percentiles as p
        where p.measure = 6 and p.channel = c.channel and p.priority = c.priority and p.q = 0.9)
        as p90_resolution_minutes,
    cast(sum(c.targeted_resolution_n) as bigint) as targeted_resolution_n,
    sum(c.resolution_within_target) as resolution_within_target,
    cast(sum(c.awaiting_first_n) as bigint) as awaiting_first_n,
    cast(sum(c.still_open_n) as bigint) as still_open_n
from pair_counts as c
group by c.channel, c.priority
order by channel, priority
