-- consistency_branch_months: the consistency measures' counts per branch and calendar month,
-- for control charts over time (same definitions as consistency_branch_measures).
-- Grain: one row per branch in the filter and month that has customers served, complaints or
-- survey answers in the period.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: branch_id, month (first day, date), customers_served, complaints,
--   targeted_resolution_n, resolution_within_target, csat_n, csat_satisfied, gap_n, mean_gap, sd_gap
with branch_list as (
    select b.branch_id
    from branches as b
    where ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, b.branch_id))
),

served as (
    select f.branch_id, cast(date_trunc('month', f.served_on) as date) as month, sum(f.customers) as customers_served
    from customers_served_facts as f
    where f.served_on between $start and $end
    group by f.branch_id, cast(date_trunc('month', f.served_on) as date)
),

complaints as (
    select
        tf.branch_id,
        cast(date_trunc('month', tf.opened_on) as date) as month,
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
    group by tf.branch_id, cast(date_trunc('month', tf.opened_on) as date)
),

satisfaction as (
    select
        r.branch_id,
        cast(date_trunc('month', r.submitted_at) as date) as month,
        count(r.overall_satisfaction) as csat_n,
        sum(case when r.overall_satisfaction >= 4 then 1 else 0 end) as csat_satisfied
    from survey_responses as r
    where cast(r.submitted_at as date) between $start and $end
        and ($channels is null or list_contains($channels, r.channel))
        and ($segments is null or list_contains($segments, r.segment))
    group by r.branch_id, cast(date_trunc('month', r.submitted_at) as date)
),

respondent_gap as (
    select s.response_id, s.branch_id, cast(date_trunc('month', s.submitted_on) as date) as month, avg(s.gap) as gap
    from response_component_scores as s
    where s.submitted_on between $start and $end
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
        and ($components is null or list_contains($components, s.component_key))
    group by s.response_id, s.branch_id, cast(date_trunc('month', s.submitted_on) as date)
),

gaps as (
    select branch_id, month, count(*) as gap_n, avg(gap) as mean_gap, stddev_samp(gap) as sd_gap
    from respondent_gap
    group by branch_id, month
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
    coalesce(gaps.gap_n, 0) as gap_n,
    gaps.mean_gap,
    gaps.sd_gap
from branch_months as bm
join branch_list as bl on bl.branch_id = bm.branch_id
left join served on served.branch_id = bm.branch_id and served.month = bm.month
left join complaints on complaints.branch_id = bm.branch_id and complaints.month = bm.month
left join satisfaction on satisfaction.branch_id = bm.branch_id and satisfaction.month = bm.month
left join gaps on gaps.branch_id = bm.branch_id and gaps.month = bm.month
order by bm.branch_id, bm.month
