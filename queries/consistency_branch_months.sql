-- consistency_branch_months: the consistency measures' counts per branch and calendar month,
-- for control charts over time (same definitions as consistency_branch_measures).
-- Grain: one row per branch in the filter and month that has customers served, complaints or
-- survey answers in the period.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: branch_id, month (first day, date), customers_served, complaints,
--   targeted_resolution_n, resolution_within_target, csat_n, csat_satisfied, gap_n, mean_gap, sd_gap
-- Reads the rollups of servicequality/store/rollups.py (branch x day). A channel, segment, category or
-- component selection reads rollup_ticket_cells; with components selected, a respondent's overall gap
-- is the mean over those components (queries/fragments/respondent_gaps.sql).
-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when $channels, $segments, $categories, $components
-- Rollup choice: survey_gap_days -> component_gap_days when $components
with
-- Include: respondent_gaps

branch_list as (
    select b.branch_id
    from branches as b
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, b.branch_id))
),

served as (
    select f.branch_id, cast(date_trunc('month', f.served_on) as date) as month, sum(f.customers) as customers_served
    from customers_served as f
    where f.served_on between $start and $end
    group by f.branch_id, cast(date_trunc('month', f.served_on) as date)
),

complaints as (
    select
        d.branch_id,
        cast(date_trunc('month', d.opened_on) as date) as month,
        cast(sum(d.complaints) as bigint) as complaints,
        cast(sum(d.targeted_resolution_n) as bigint) as targeted_resolution_n,
        sum(d.resolution_within_target) as resolution_within_target
    from rollup_ticket_days as d
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and ($categories is null or list_contains($categories, d.category))
        and ($components is null or list_contains($components, d.component_key))
        and d.opened_on between $start and $end
    group by d.branch_id, cast(date_trunc('month', d.opened_on) as date)
    having sum(d.complaints) > 0
),

satisfaction as (
    select
        d.branch_id,
        cast(date_trunc('month', d.submitted_on) as date) as month,
        cast(sum(d.csat_n) as bigint) as csat_n,
        sum(d.csat_satisfied) as csat_satisfied
    from rollup_survey_days as d
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
    group by d.branch_id, cast(date_trunc('month', d.submitted_on) as date)
),

gaps as (
    select
        d.branch_id,
        cast(date_trunc('month', d.submitted_on) as date) as month,
        sum(d.gap_n) as gap_n,
        sum(d.sum_x) as sx,
        sum(d.sum_xx) as sxx
    from survey_gap_days as d
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
    group by d.branch_id, cast(date_trunc('month', d.submitted_on) as date)
    having sum(d.gap_n) > 0
),

branch_months as (
    select branch_id, month from served
    union
    select branch_id, month from complaints
    union
    select branch_id, month from satisfaction
    union
    select branch_id, month from gaps
)

select
    bm.branch_id,
    bm.month,
    coalesce(served.customers_served, 0) as customers_served,
    coalesce(complaints.complaints, 0) as complaints,
    coalesce(complaints.targeted_resolution_n, 0) as targeted_resolution_n,
    coalesce(complaints.resolution_within_target, 0) as resolution_within_target,
    coalesce(satisfaction.csat_n, 0) as csat_n,
    coalesce(satisfaction.csat_satisfied, 0) as csat_satisfied,
    cast(coalesce(gaps.gap_n, 0) as bigint) as gap_n,
    cast(gaps.sx as double) / (gaps.gap_n * st.respondent_scale) as mean_gap,
    case when gaps.gap_n > 1 then sqrt(cast(gaps.gap_n * gaps.sxx - gaps.sx * gaps.sx as double) / (gaps.gap_n * (gaps.gap_n - 1))) / st.respondent_scale end as sd_gap
from branch_months as bm
join branch_list as bl on bl.branch_id = bm.branch_id
cross join rollup_settings as st
left join served on served.branch_id = bm.branch_id and served.month = bm.month
left join complaints on complaints.branch_id = bm.branch_id and complaints.month = bm.month
left join satisfaction on satisfaction.branch_id = bm.branch_id and satisfaction.month = bm.month
left join gaps on gaps.branch_id = bm.branch_id and gaps.month = bm.month
order by branch_id, month
