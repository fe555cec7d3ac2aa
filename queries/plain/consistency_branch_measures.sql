-- consistency_branch_measures: every branch's volumes and counts for the four consistency
-- measures (complaint rate, share resolved within target, CSAT, overall SERVQUAL gap).
-- The channel and segment filters narrow complaints and survey answers; customers served are
-- counted per branch and day, not per channel or segment.
-- Grain: one row per branch in the region and branch filter (zeros when it has nothing).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   branch_id, branch_name, region, branch_type, size_band
--   customers_served, complaints                    complaint rate = complaints / customers_served
--   targeted_resolution_n, resolution_within_target  complaints judged against a target (resolved, or open
--                                 past it: late); of those within it
--   csat_n, csat_satisfied                           overall satisfaction answers; of those 4-5
--   gap_n, mean_gap, sd_gap                          respondents with scores; mean and sample sd of
--                                                    each respondent's mean component gap
with branch_list as (
    select b.branch_id, b.name as branch_name, b.region, b.branch_type, b.size_band
    from branches as b
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, b.branch_id))
),

served as (
    select f.branch_id, sum(f.customers) as customers_served
    from customers_served_facts as f
    where f.served_on between $start and $end
    group by f.branch_id
),

complaints as (
    select
        tf.branch_id,
        count(*) as complaints,
        count(case when tf.resolution_target is not null then tf.resolution_judged_minutes end) as targeted_resolution_n,
        sum(case when tf.resolution_judged_minutes <= tf.resolution_target then 1 else 0 end) as resolution_within_target
    from ticket_facts as tf
    where tf.kind = 'complaint'
        and tf.opened_on between $start and $end
        and ($channels is null or list_contains($channels, tf.channel))
        and ($segments is null or list_contains($segments, tf.segment))
        and ($categories is null or list_contains($categories, tf.category))
        and ($components is null or list_contains($components, tf.component_key))
    group by tf.branch_id
),

satisfaction as (
    select
        r.branch_id,
        count(r.overall_satisfaction) as csat_n,
        sum(case when r.overall_satisfaction >= 4 then 1 else 0 end) as csat_satisfied
    from survey_responses as r
    where cast(r.submitted_at as date) between $start and $end
        and ($channels is null or list_contains($channels, r.channel))
        and ($segments is null or list_contains($segments, r.segment))
    group by r.branch_id
),

respondent_gap as (
    select s.response_id, s.branch_id, avg(s.gap) as gap
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
    group by s.response_id, s.branch_id
),

gaps as (
    select branch_id, count(*) as gap_n, avg(gap) as mean_gap, stddev_samp(gap) as sd_gap
    from respondent_gap
    group by branch_id
)

select
    bl.branch_id,
    bl.branch_name,
    bl.region,
    bl.branch_type,
    bl.size_band,
    coalesce(served.customers_served, 0) as customers_served,
    coalesce(complaints.complaints, 0) as complaints,
    coalesce(complaints.targeted_resolution_n, 0) as targeted_resolution_n,
    coalesce(complaints.resolution_within_target, 0) as resolution_within_target,
    coalesce(satisfaction.csat_n, 0) as csat_n,
    coalesce(satisfaction.csat_satisfied, 0) as csat_satisfied,
    coalesce(gaps.gap_n, 0) as gap_n,
    gaps.mean_gap,
    gaps.sd_gap
from branch_list as bl
left join served on served.branch_id = bl.branch_id
left join complaints on complaints.branch_id = bl.branch_id
left join satisfaction on satisfaction.branch_id = bl.branch_id
left join gaps on gaps.branch_id = bl.branch_id
order by bl.branch_id
