-- handling_backlog: complaints still open at the end of the period, by age at that moment.
-- "Open at the end" = opened before the end of day $end and not resolved by then (resolved
-- later, or open with no resolution). Complaints opened before $start count too: an old open
-- complaint is still backlog; opened_before_period says how many of them there are.
-- Age = days from opening to the end of day $end. An opening at exactly midnight is a date with no
-- time of day (a date-only export: CFPB's 'Date received'): the complaint is between d and d + 1 days
-- old, d the whole days from its date to $end, and its age is the middle, d + 0.5, so that one opened
-- on the last day reads 'Under 1 day' (from midnight it would read one whole day, the most it can be).
-- Grain: one row per age bucket (all five, zero when empty), youngest first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: bucket_order, age_bucket, open_complaints, opened_before_period, mean_age_days
-- Reads rollup_complaint_open (servicequality/store/rollups.py): one row per complaint that can be open
-- at the end of a day, with its branch, region, type, channel, segment, category and component, so
-- every selection filters it directly: the view open_complaints materialised.
-- Oracle: rollup_complaint_open -> open_complaints
with buckets (bucket_order, age_bucket) as (
    values
        (1, 'Under 1 day'),
        (2, '1-3 days'),
        (3, '3-7 days'),
        (4, '7-30 days'),
        (5, '30 days or more')
),

-- Open at the end of the period: opened before it ends and closed after it (or never). The rollup
-- is ordered by closes_at, so the two cases below each read only their own row groups.
open_rows as (
    select o.branch_id, o.region, o.branch_type, o.channel, o.segment, o.category, o.component_key, o.opened_at
    from rollup_complaint_open as o
    where o.closes_at >= cast($end as timestamp) + interval 1 day
        and o.opened_at < cast($end as timestamp) + interval 1 day
    union all
    select o.branch_id, o.region, o.branch_type, o.channel, o.segment, o.category, o.component_key, o.opened_at
    from rollup_complaint_open as o
    where o.closes_at is null
        and o.opened_at < cast($end as timestamp) + interval 1 day
),

open_at_end as (
    select
        o.opened_at,
        case
            when o.opened_at = date_trunc('day', o.opened_at)
                then date_diff('day', cast(o.opened_at as date), $end) + 0.5
            else date_diff('second', o.opened_at, cast($end as timestamp) + interval 1 day) / 86400.0
        end as age_days
    from open_rows as o
    where ($regions is null or list_contains($regions, o.region))
        -- Selected on o: branch_types, branches, channels, segments, categories, components
),

-- Each complaint's age bucket (days, lower bound included), joined to its label by key (a
-- range join to the buckets is far slower).
bucketed as (
    select
        o.opened_at,
        o.age_days,
        case
            when o.age_days >= 0.0 and o.age_days < 1.0 then 1
            when o.age_days >= 1.0 and o.age_days < 3.0 then 2
            when o.age_days >= 3.0 and o.age_days < 7.0 then 3
            when o.age_days >= 7.0 and o.age_days < 30.0 then 4
            when o.age_days >= 30.0 and o.age_days < 1000000.0 then 5
        end as bucket_order
    from open_at_end as o
)

select
    bk.bucket_order,
    bk.age_bucket,
    count(o.age_days) as open_complaints,
    sum(case when o.opened_at < cast($start as timestamp) then 1 else 0 end) as opened_before_period,
    avg(o.age_days) as mean_age_days
from buckets as bk
left join bucketed as o on o.bucket_order = bk.bucket_order
group by bk.bucket_order, bk.age_bucket
order by bucket_order
