-- survey_summary: headline survey numbers for the filtered period.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   responses      survey responses in the filter
--   csat_n         responses that answered overall satisfaction (1-5)
--   csat_satisfied of those, answers 4 or 5 (top-two box)
--   nps_n          responses that answered the 0-10 recommendation question
--   promoters      answers 9-10;  detractors: answers 0-6
-- The sums come from the `-- Measures:` line: store/generate.py generates them from the rollups
-- (branch x day x channel x segment) and, as the tests' oracle, from the base view
-- (`python -m servicequality sql NAME --plain`).
with
-- Measures: answered = responses: responses, csat_n, csat_satisfied, nps_n, promoters, detractors
select responses, csat_n, csat_satisfied, nps_n, promoters, detractors
from answered
