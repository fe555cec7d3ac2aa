-- performance_respondents: each respondent's component scores and overall answers, for key-driver analysis.
-- Grain: one row per response and rated component.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Reads the base views (surveys are small beside tickets): this text is its own reference form.
-- Columns:
--   response_id, component_key
--   performance    the respondent's component score, percent of maximum possible (0-100)
--   satisfaction   their overall satisfaction, 0-100 (null when not asked or "don't know")
--   recommend      their would-recommend answer, 0-100 (a 0/1 flag becomes 0 or 100)
select
    p.response_id,
    p.component_key,
    p.performance,
    100.0 * (coalesce(r.satisfaction_answer, r.overall_satisfaction)
        - coalesce(r.satisfaction_min, case when r.overall_satisfaction is not null then 1 end))
        / (coalesce(r.satisfaction_max, case when r.overall_satisfaction is not null then 5 end)
            - coalesce(r.satisfaction_min, case when r.overall_satisfaction is not null then 1 end)) as satisfaction,
    100.0 * (coalesce(r.recommend_answer, r.nps)
        - coalesce(r.recommend_min, case when r.nps is not null then 0 end))
        / (coalesce(r.recommend_max, case when r.nps is not null then 10 end)
            - coalesce(r.recommend_min, case when r.nps is not null then 0 end)) as recommend
from response_component_performance as p
join survey_responses as r on r.response_id = p.response_id
where p.submitted_on between $start and $end
    and ($regions is null or list_contains($regions, p.region))
    and ($branch_types is null or list_contains($branch_types, p.branch_type))
    and ($branches is null or list_contains($branches, p.branch_id))
    and ($channels is null or list_contains($channels, p.channel))
    and ($segments is null or list_contains($segments, p.segment))
order by p.response_id, p.component_key
