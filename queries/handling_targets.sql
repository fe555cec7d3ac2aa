-- handling_targets: complaint handling times against their targets per channel and priority.
-- Times are minutes from opening, percentiles by Kaplan-Meier (complaints still open censored at
-- their age at the data's as-of time, ticket_as_of); one still open past its target counts late.
-- Oracle: the rollups' models
-- Grain: one row per channel and priority with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   channel, priority, complaints
--   first_response_target, resolution_target      target minutes for the pair (service_targets, or the
--                                 complaints' own deadlines when they all share one; null when those differ)
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
-- Exact percentiles: queries/fragments/handling_percentiles.sql. With no branch selection the
-- counts come from whole months (rollup_handling_network_months) and the other days of the period
-- (edge_days); with one, from every day of the period.
with
-- Include: handling_edge_days

-- The complaints counted day by day: with no branch selection the days outside whole months,
-- with one every day of the period (the per-pair month counts exist for the network only).
counted_days as (
    select d.*
    from edge_days as d
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
                -- Selected on b: branch_types, branches
        )
        -- Selected on h: channels, segments, categories, components
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
        m.channel, m.priority, m.complaints, m.first_response_target, m.resolution_target, m.resolution_target_low,
        m.responded_n,
        m.targeted_first_n, m.first_response_within_target, m.resolved_n, m.targeted_resolution_n,
        m.resolution_within_target, m.awaiting_first_n, m.still_open_n
    from rollup_complaint_pair_months as m
    where m.month >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        and m.month < cast(date_trunc('month', $end + interval 1 day) as date)
        -- Selected on m: regions, branch_types, branches
        and not ($channels is not null or $segments is not null or $categories is not null or $components is not null)
    union all
    select
        h.channel,
        h.priority,
        count(*),
        max(h.first_response_target),
        max(h.resolution_target),
        min(h.resolution_target),
        count(h.first_response_minutes),
        count(case when h.first_response_target is not null then h.first_response_judged_minutes end),
        sum(case when h.first_response_judged_minutes <= h.first_response_target then 1 else 0 end),
        count(h.resolution_minutes),
        count(case when h.resolution_target is not null then h.resolution_judged_minutes end),
        sum(case when h.resolution_judged_minutes <= h.resolution_target then 1 else 0 end),
        count(h.first_response_open_minutes),
        count(h.resolution_open_minutes)
    from edge_days as h
    group by h.channel, h.priority
),

-- Include: handling_percentiles (measures 5, 6)

-- Summed per pair first, and each pair's percentiles looked up beside its sums (Spark refuses a
-- correlated subquery beside a group by).
pair_totals as (
    select
        c.channel,
        c.priority,
        cast(sum(c.complaints) as bigint) as complaints,
        max(c.first_response_target) as first_response_target,
        -- one target for the pair, or none to show: per-ticket deadlines (tickets.resolution_target_at) differ
        case when min(c.resolution_target_low) = max(c.resolution_target) then max(c.resolution_target) end
            as resolution_target,
        cast(sum(c.responded_n) as bigint) as responded_n,
        cast(sum(c.targeted_first_n) as bigint) as targeted_first_n,
        sum(c.first_response_within_target) as first_response_within_target,
        cast(sum(c.resolved_n) as bigint) as resolved_n,
        cast(sum(c.targeted_resolution_n) as bigint) as targeted_resolution_n,
        sum(c.resolution_within_target) as resolution_within_target,
        cast(sum(c.awaiting_first_n) as bigint) as awaiting_first_n,
        cast(sum(c.still_open_n) as bigint) as still_open_n
    from pair_counts as c
    group by c.channel, c.priority
)

select
    t.channel,
    t.priority,
    t.complaints,
    t.first_response_target,
    t.resolution_target,
    t.responded_n,
    (select p.value from percentiles as p
        where p.measure = 5 and p.channel = t.channel and p.priority = t.priority and p.q = 0.5)
        as median_first_response_minutes,
    (select p.value from percentiles as p
        where p.measure = 5 and p.channel = t.channel and p.priority = t.priority and p.q = 0.9)
        as p90_first_response_minutes,
    t.targeted_first_n,
    t.first_response_within_target,
    t.resolved_n,
    (select p.value from percentiles as p
        where p.measure = 6 and p.channel = t.channel and p.priority = t.priority and p.q = 0.5)
        as median_resolution_minutes,
    (select p.value from percentiles as p
        where p.measure = 6 and p.channel = t.channel and p.priority = t.priority and p.q = 0.9)
        as p90_resolution_minutes,
    t.targeted_resolution_n,
    t.resolution_within_target,
    t.awaiting_first_n,
    t.still_open_n
from pair_totals as t
order by t.channel, t.priority
