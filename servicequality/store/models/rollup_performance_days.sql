-- rollup_performance_days: survey performance (percent of maximum possible, any survey, with or
-- without expectations): each rated respondent's overall performance (the mean of their component
-- performances) summed, and the satisfaction answers (0-100) of those respondents. Doubles: the sums
-- agree with the plain query's to the last bits, not exactly.
-- Grain: branch_id x submitted_on x channel x segment
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
with respondent as (
    select
        p.response_id, any_value(p.branch_id) as branch_id, any_value(p.submitted_on) as submitted_on,
        any_value(p.channel) as channel, any_value(p.segment) as segment, avg(p.performance) as performance
    from rollup_response_performance as p
    group by p.response_id
)
select
    r.branch_id, r.submitted_on, r.channel, r.segment,
    count(*) as performance_n,
    sum(r.performance) as sum_performance,
    count(a.satisfaction) as satisfaction_n,
    sum(a.satisfaction) as sum_satisfaction
from respondent as r
left join response_answers as a on a.response_id = r.response_id
group by r.branch_id, r.submitted_on, r.channel, r.segment
