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
-- Reads the rollups of servicequality/store/rollups.py (branch x day). A channel, segment, category or
-- component selection reads rollup_ticket_cells; with components selected, a respondent's overall gap
-- is the mean over those components (queries/fragments/respondent_gaps.sql).
-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when $channels, $segments, $categories, $components
-- Rollup choice: survey_gap_days -> component_gap_days when $components
with
-- Include: respondent_gaps

branch_list as (
    select b.branch_id, b.name as branch_name, b.region, b.branch_type, b.size_band
    from branches as b
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, b.branch_id))
),

served as (
    select f.branch_id, sum(f.customers) as customers_served
    from customers_served as f
    where f.served_on between $start and $end
    group by f.branch_id
),

complaints as (
    select
        d.branch_id,
        cast(sum(d.complaints) as bigint) as complaints,
        cast(sum(d.targeted_resolution_n) as bigint) as targeted_resolution_n,
        sum(d.resolution_within_target) as resolution_within_target
    from rollup_ticket_days as d
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and ($categories is null or list_contains($categories, d.category))
        and ($components is null or list_contains($components, d.component_key))
        and d.opened_on between $start and $end
    group by d.branch_id
),

satisfaction as (
    select d.branch_id, cast(sum(d.csat_n) as bigint) as csat_n, sum(d.csat_satisfied) as csat_satisfied
    from rollup_survey_days as d
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
    group by d.branch_id
),

gaps as (
    select d.branch_id, sum(d.gap_n) as gap_n, sum(d.sum_x) as sx, sum(d.sum_xx) as sxx
    from survey_gap_days as d
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
    group by d.branch_id
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
    cast(coalesce(gaps.gap_n, 0) as bigint) as gap_n,
    cast(gaps.sx as double) / (gaps.gap_n * st.respondent_scale) as mean_gap,
    case when gaps.gap_n > 1 then sqrt(cast(gaps.gap_n * gaps.sxx - gaps.sx * gaps.sx as double) / (gaps.gap_n * (gaps.gap_n - 1))) / st.respondent_scale end as sd_gap
from branch_list as bl
cross join rollup_settings as st
left join served on served.branch_id = bl.branch_id
left join complaints on complaints.branch_id = bl.branch_id
left join satisfaction on satisfaction.branch_id = bl.branch_id
left join gaps on gaps.branch_id = bl.branch_id
order by branch_id
