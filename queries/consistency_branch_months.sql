-- consistency_branch_months: the consistency measures' counts per branch and calendar month,
-- for control charts over time (same definitions as consistency_branch_measures).
-- Grain: one row per branch in the filter and month that has customers served, complaints or
-- survey answers in the period.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: branch_id, month (first day, date), customers_served, complaints, compliments,
--   targeted_resolution_n, resolution_within_target, csat_n, csat_satisfied, gap_n, mean_gap, sd_gap
-- The sums come from the `-- Measures:` lines: store/generate.py generates them from the rollups (the
-- ticket cells under a channel, segment, category or component selection; with components selected,
-- a respondent's overall gap is the mean over those components, queries/fragments/respondent_gaps.sql)
-- and, as the tests' oracle, from the base views.
with
-- Include: respondent_gaps
-- Measures: served = served by branch_id, month: customers
-- Measures: counted = tickets by branch_id, month: complaints, compliments, targeted_resolution_n, resolution_within_target
-- Measures: satisfaction = responses by branch_id, month: csat_n, csat_satisfied
-- Measures: rated = respondent_gaps by branch_id, month: gap_n, mean_gap, sd_gap
complaints as (
    select * from counted where complaints > 0 or compliments > 0
),

gaps as (
    select * from rated where gap_n > 0
),

report_rows as (
    select branch_id, month from served
    union
    select branch_id, month from complaints
    union
    select branch_id, month from satisfaction
    union
    select branch_id, month from gaps
)

-- Include: branch_measure_rows (keys branch_id, month)
