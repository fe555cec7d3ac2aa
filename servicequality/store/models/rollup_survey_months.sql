-- rollup_survey_months: rollup_survey_days by month, the counts BIGINT as there (a year of survey
-- sums per branch read 318,000 day rows in the 10 M benchmark store, twice on the Consistency page).
-- Grain: branch_id x month_start x channel x segment
-- Order: month_start, branch_id
-- Partition: month month_start
select
    branch_id,
    cast(date_trunc('month', submitted_on) as date) as month_start,
    last_day(submitted_on) as month_end,
    channel,
    segment,
    cast(sum(responses) as bigint) as responses,
    cast(sum(csat_n) as bigint) as csat_n,
    sum(csat_satisfied) as csat_satisfied,
    cast(sum(nps_n) as bigint) as nps_n,
    sum(promoters) as promoters,
    sum(detractors) as detractors,
    cast(sum(gap_n) as bigint) as gap_n,
    sum(sum_x) as sum_x,
    sum(sum_xx) as sum_xx,
    sum(sum_xp) as sum_xp,
    sum(sum_xpxp) as sum_xpxp
from rollup_survey_days
group by all
