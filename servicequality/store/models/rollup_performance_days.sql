-- rollup_performance_days: survey performance (percent of maximum possible, any survey, with or
-- without expectations): each rated respondent's overall performance (the mean of their component
-- performances) summed, and the satisfaction answers (0-100) of those respondents, from each
-- respondent's row (rollup_respondent_performance). Doubles: the sums agree with the plain query's to
-- the last bits, not exactly.
-- Grain: branch_id x submitted_on x channel x segment
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
select
    r.branch_id, r.submitted_on, r.channel, r.segment,
    count(*) as performance_n,
    sum(r.performance) as sum_performance,
    count(r.satisfaction) as satisfaction_n,
    sum(r.satisfaction) as sum_satisfaction
from rollup_respondent_performance as r
group by r.branch_id, r.submitted_on, r.channel, r.segment
