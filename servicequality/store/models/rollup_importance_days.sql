-- rollup_importance_days: stated importance, each respondent's points as shares of their total
-- (respondents with a total > 0), summed per component.
-- Grain: branch_id x submitted_on x channel x segment x component_key
-- Order: submitted_on, branch_id, component_key
-- Partition: day submitted_on
with points as (
    select i.response_id, i.component_key, i.points, r.branch_id,
           cast(r.submitted_at as date) as submitted_on, r.channel, r.segment
    from survey_importance as i
    join survey_responses as r on r.response_id = i.response_id
),
totals as (
    select response_id, sum(points) as total_points
    from points
    group by response_id
    having sum(points) > 0
)
select p.branch_id, p.submitted_on, p.channel, p.segment, p.component_key, count(*) as n,
       sum(p.points / t.total_points) as sum_share
from points as p
join totals as t on t.response_id = p.response_id
group by p.branch_id, p.submitted_on, p.channel, p.segment, p.component_key
