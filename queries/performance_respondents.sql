-- performance_respondents: each respondent's component scores and overall answers, for key-driver analysis.
-- Grain: one row per response and rated component.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns:
--   response_id, component_key
--   performance    the respondent's component score, percent of maximum possible (0-100)
--   satisfaction   their overall satisfaction, 0-100 (null when not asked or "don't know")
--   recommend      their would-recommend answer, 0-100 (a 0/1 flag becomes 0 or 100)
select
    p.response_id,
    p.component_key,
    p.performance,
    r.satisfaction,
    r.recommend
from rollup_response_performance as p
join response_answers as r on r.response_id = p.response_id
where p.submitted_on between $start and $end
    -- Selected on p: regions, branch_types, branches, channels, segments
order by p.response_id, p.component_key
