-- monthly_survey: survey results per calendar month.
-- Grain: one row per month with responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   month (first day, date), responses
--   gap_n, mean_gap   respondents with scores; mean over them of their own mean component gap
--   csat_n, csat_satisfied, nps_n, promoters, detractors (as in survey_summary)
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (branch x day x channel x segment) and, as the tests' oracle, from the base view
-- (`python -m servicequality sql NAME --plain`).
with
-- Measures: answered = responses by month: responses, gap_n, mean_gap, csat_n, csat_satisfied, nps_n, promoters, detractors
select month, responses, gap_n, mean_gap, csat_n, csat_satisfied, nps_n, promoters, detractors
from answered
order by month
