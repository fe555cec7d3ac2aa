-- consistency_branch_measures: every branch's volumes and counts for the four consistency
-- measures (complaint rate, share resolved within target, CSAT, overall SERVQUAL gap).
-- The channel and segment filters narrow complaints and survey answers; customers served are
-- counted per branch and day, not per channel or segment.
-- Grain: one row per branch in the region and branch filter (zeros when it has nothing).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns:
--   branch_id, branch_name, region, branch_type, size_band
--   customers_served, complaints                    complaint rate = complaints / customers_served
--   compliments                                      reputation = compliments / (compliments + complaints)
--   targeted_resolution_n, resolution_within_target  complaints judged against a target (resolved, or open
--                                 past it: late); of those within it
--   csat_n, csat_satisfied                           overall satisfaction answers; of those 4-5
--   gap_n, mean_gap, sd_gap                          respondents with scores; mean and sample sd of
--                                                    each respondent's mean component gap
-- The sums come from the `-- Measures:` lines: store/generate.py generates them from the rollups (the
-- ticket cells under a channel, segment, category or component selection; with components selected,
-- a respondent's overall gap is the mean over those components, queries/fragments/respondent_gaps.sql)
-- and, as the tests' oracle, from the base views.
with
-- Include: respondent_gaps
-- Measures: served = served by branch_id: customers
-- Measures: complaints = tickets by branch_id: complaints, compliments, targeted_resolution_n, resolution_within_target
-- Measures: satisfaction = responses by branch_id: csat_n, csat_satisfied
-- Measures: gaps = respondent_gaps by branch_id: gap_n, mean_gap, sd_gap
report_rows as (
    select b.branch_id, b.name as branch_name, b.region, b.branch_type, b.size_band
    from branches as b
    where ($regions is null or list_contains($regions, b.region))
        -- Selected on b: branch_types, branches
)

-- Include: branch_measure_rows (keys branch_id)
