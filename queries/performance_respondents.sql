-- performance_respondents: each respondent's component scores and overall answers, for key-driver analysis.
-- Grain: one row per response with at least one rated component.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns:
--   response_id
--   security ... tangibles  the respondent's score on each of the ten components (domain.COMPONENTS, in
--                that order), percent of maximum possible (0-100); null when they rated none of its items
--   satisfaction   their overall satisfaction, 0-100 (null when not asked or "don't know")
--   recommend      their would-recommend answer, 0-100 (a 0/1 flag becomes 0 or 100)
-- One row per respondent, not per respondent and component: at 10 M tickets a year holds 680,000
-- respondents, whose 6.8 M long rows took 3.6 s to read and 2.2 s to pivot; these take 0.5 s.
with scores as (
    select
        p.response_id,
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
    where p.submitted_on between $start and $end
        -- Selected on p: regions, branch_types, branches, channels, segments
    group by p.response_id
)

select s.*, r.satisfaction, r.recommend
from scores as s
join response_answers as r on r.response_id = s.response_id
order by s.response_id
