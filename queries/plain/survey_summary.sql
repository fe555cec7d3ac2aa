-- survey_summary: headline survey numbers for the filtered period.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   responses      survey responses in the filter
--   csat_n         responses that answered overall satisfaction (1-5)
--   csat_satisfied of those, answers 4 or 5 (top-two box)
--   nps_n          responses that answered the 0-10 recommendation question
--   promoters      answers 9-10;  detractors: answers 0-6
select
    count(*) as responses,
    count(r.overall_satisfaction) as csat_n,
    cast(sum(case when r.overall_satisfaction >= 4 then 1 else 0 end) as bigint) as csat_satisfied,
    count(r.nps) as nps_n,
    cast(sum(case when r.nps >= 9 then 1 else 0 end) as bigint) as promoters,
    cast(sum(case when r.nps <= 6 then 1 else 0 end) as bigint) as detractors
from survey_responses as r
join branches as b on b.branch_id = r.branch_id
where cast(r.submitted_at as date) between $start and $end
    and ($regions is null or list_contains($regions, b.region))
    and ($branch_types is null or list_contains($branch_types, b.branch_type))
    and ($branches is null or list_contains($branches, r.branch_id))
    and ($channels is null or list_contains($channels, r.channel))
    and ($segments is null or list_contains($segments, r.segment))
