-- handling_summary: how fast complaints are answered and resolved, against their targets.
-- Targets come from service_targets for the ticket's channel and priority.
-- Oracle: the rollups' models
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

-- Include: handling_edge_days

-- The handled values per bucket: whole months from rollup_handling_network_months (no branch
-- selection) or rollup_handling_months (one), the other days from edge_days.
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
        -- Selected on m: regions, branch_types, branches
    union all
    select first_response_bucket as bucket, count(*) from edge_days where first_response_bucket is not null group by first_response_bucket
    union all
    select resolution_bucket as bucket, count(*) from edge_days where resolution_bucket is not null group by resolution_bucket
    union all
    select first_response_target_bucket as bucket, count(*) from edge_days where first_response_target_bucket is not null group by first_response_target_bucket
    union all
    select resolution_target_bucket as bucket, count(*) from edge_days where resolution_target_bucket is not null group by resolution_target_bucket
),
-- Include: handling_percentiles (measures 1, 2)



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
