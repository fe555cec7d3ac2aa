-- performance_respondents: each respondent's component scores and overall answers, for key-driver analysis.
-- Grain: one row per response with at least one rated component.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Reads rollup_respondent_performance (store/models/: one row per respondent, a column per component);
-- its plain form computes that rollup, and the per response x component one it pivots, from their
-- models over the base views.
-- Oracle: the rollups' models
-- Columns:
--   response_id
--   security ... tangibles  the respondent's score on each of the ten components (domain.COMPONENTS, in
--                that order), percent of maximum possible (0-100); null when they rated none of its items
--   satisfaction   their overall satisfaction, 0-100 (null when not asked or "don't know")
--   recommend      their would-recommend answer, 0-100 (a 0/1 flag becomes 0 or 100)
-- Stored wide, not pivoted at every read: at 10 M tickets a year holds 680,000 respondents, whose
-- 6.8 M rows per respondent and component took 0.72 s to pivot and read; these rows take 0.3 s.
select
    p.response_id,
    p.security,
    p.credibility,
    p.communication,
    p.understanding,
    p.access,
    p.courtesy,
    p.competence,
    p.responsiveness,
    p.reliability,
    p.tangibles,
    p.satisfaction,
    p.recommend
from rollup_respondent_performance as p
where p.submitted_on between $start and $end
    -- Selected on p: regions, branch_types, branches, channels, segments
order by p.response_id
