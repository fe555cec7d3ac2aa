-- survey_summary: headline survey numbers for the filtered period.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   responses      survey responses in the filter
--   csat_n         responses that answered overall satisfaction (1-5)
--   csat_satisfied of those, answers 4 or 5 (top-two box)
--   nps_n          responses that answered the 0-10 recommendation question
--   promoters      answers 9-10;  detractors: answers 0-6
-- Reads the rollups of servicequality/store/rollups.py (branch x day). Channel and segment
-- selections read the same rollups (their grain includes both).
select
    cast(coalesce(sum(d.responses), 0) as bigint) as responses,
    cast(coalesce(sum(d.csat_n), 0) as bigint) as csat_n,
    cast(sum(d.csat_satisfied) as bigint) as csat_satisfied,
    cast(coalesce(sum(d.nps_n), 0) as bigint) as nps_n,
    cast(sum(d.promoters) as bigint) as promoters,
    cast(sum(d.detractors) as bigint) as detractors
from rollup_survey_days as d
join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and d.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
