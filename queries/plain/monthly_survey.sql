-- monthly_survey: survey results per calendar month.
-- Grain: one row per month with responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   month (first day, date), responses
--   gap_n, mean_gap   respondents with scores; mean over them of their own mean component gap
--   csat_n, csat_satisfied, nps_n, promoters, detractors (as in survey_summary)
with respondent_gap as (
    select response_id, avg(gap) as gap
    from response_component_scores
    where submitted_on between $start and $end
    group by response_id
),

responses as (
    select
        cast(date_trunc('month', r.submitted_at) as date) as month,
        r.overall_satisfaction,
        r.nps,
        g.gap
    from survey_responses as r
    join branches as b on b.branch_id = r.branch_id
    left join respondent_gap as g on g.response_id = r.response_id
    where cast(r.submitted_at as date) between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, r.branch_id))
        and ($channels is null or list_contains($channels, r.channel))
        and ($segments is null or list_contains($segments, r.segment))
)

select
    month,
    count(*) as responses,
    count(gap) as gap_n,
    avg(gap) as mean_gap,
    count(overall_satisfaction) as csat_n,
    cast(sum(case when overall_satisfaction >= 4 then 1 else 0 end) as bigint) as csat_satisfied,
    count(nps) as nps_n,
    cast(sum(case when nps >= 9 then 1 else 0 end) as bigint) as promoters,
    cast(sum(case when nps <= 6 then 1 else 0 end) as bigint) as detractors
from responses
group by month
order by month
