-- rollup_respondent_performance: each rated respondent once, with their overall performance (the mean of
-- their component performances, as the view respondent_performance of schema.sql has it), their
-- performance on each of the ten components (domain.COMPONENTS, in that order; null when they rated
-- none of its items) and their two overall answers (0-100), stored in date order: the key-driver
-- analysis reads one row per respondent of the period (queries/performance_respondents.sql), and the
-- day sums add these rows up (rollup_performance_days). Pivoted from the per response x component
-- rollup: 4 s for the 2 M respondents of the 10 M bench store, against 15 s from the base view (both
-- timed with a test run beside them).
-- Grain: response_id
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
with respondent as (
    select
        p.response_id,
        any_value(p.branch_id) as branch_id,
        any_value(p.region) as region,
        any_value(p.branch_type) as branch_type,
        any_value(p.channel) as channel,
        any_value(p.segment) as segment,
        any_value(p.submitted_on) as submitted_on,
        avg(p.performance) as performance,
        max(case when p.component_key = 'security' then p.performance end) as security,
        max(case when p.component_key = 'credibility' then p.performance end) as credibility,
        max(case when p.component_key = 'communication' then p.performance end) as communication,
        max(case when p.component_key = 'understanding' then p.performance end) as understanding,
        max(case when p.component_key = 'access' then p.performance end) as access,
        max(case when p.component_key = 'courtesy' then p.performance end) as courtesy,
        max(case when p.component_key = 'competence' then p.performance end) as competence,
        max(case when p.component_key = 'responsiveness' then p.performance end) as responsiveness,
        max(case when p.component_key = 'reliability' then p.performance end) as reliability,
        max(case when p.component_key = 'tangibles' then p.performance end) as tangibles
    from rollup_response_performance as p
    group by p.response_id
)
select r.*, a.satisfaction, a.recommend
from respondent as r
left join response_answers as a on a.response_id = r.response_id
