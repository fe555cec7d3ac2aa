-- monthly_survey: survey results per calendar month.
-- Grain: one row per month with responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   month (first day, date), responses
--   gap_n, mean_gap   respondents with scores; mean over them of their own mean component gap
--   csat_n, csat_satisfied, nps_n, promoters, detractors (as in survey_summary)
-- Reads the rollups of servicequality/store/rollups.py (branch x day). Channel and segment
-- selections read the same rollups (their grain includes both).
select
    cast(date_trunc('month', d.submitted_on) as date) as month,
    cast(sum(d.responses) as bigint) as responses,
    cast(sum(d.gap_n) as bigint) as gap_n,
    cast(sum(d.sum_x) as double) / (sum(d.gap_n) * max(st.respondent_scale)) as mean_gap,
    cast(sum(d.csat_n) as bigint) as csat_n,
    cast(sum(d.csat_satisfied) as bigint) as csat_satisfied,
    cast(sum(d.nps_n) as bigint) as nps_n,
    cast(sum(d.promoters) as bigint) as promoters,
    cast(sum(d.detractors) as bigint) as detractors
from rollup_survey_days as d
cross join rollup_settings as st
join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
group by cast(date_trunc('month', d.submitted_on) as date)
order by month
