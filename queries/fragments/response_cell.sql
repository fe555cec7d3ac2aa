-- Fragment: response_cell (included by the survey drill-down queries, see store.runner "-- Include:").
-- Gives `component_responses` (the responses that scored a selected component, or the cell's, in the
-- period; read only when one is set) and `cell_responses`: every survey response in the filter and
-- in the Explore cell the $cell_<dimension> parameters name (each null for "any"), with its branch.
-- A component selection or cell keeps the responses that scored one.
component_responses as (
    select distinct s.response_id
    from rollup_response_components as s
    where ($components is not null or $cell_component is not null)
        and s.submitted_on between $start and $end
        -- Selected on s: components
        and ($cell_component is null or s.component_key = $cell_component)
),

cell_responses as (
    select
        r.response_id,
        r.submitted_at,
        r.branch_id,
        b.name as branch_name,
        b.region,
        b.branch_type,
        r.channel,
        r.segment,
        -- the overall answers on the survey's own scale (the classic 0-10 and 1-5 columns when the
        -- survey used those), and as percent of maximum possible to sort by (response_answers)
        coalesce(r.recommend_answer, r.nps) as recommend_answer,
        coalesce(r.recommend_min, case when r.nps is not null then 0 end) as recommend_min,
        coalesce(r.recommend_max, case when r.nps is not null then 10 end) as recommend_max,
        coalesce(r.satisfaction_answer, r.overall_satisfaction) as satisfaction_answer,
        coalesce(r.satisfaction_min, case when r.overall_satisfaction is not null then 1 end) as satisfaction_min,
        coalesce(r.satisfaction_max, case when r.overall_satisfaction is not null then 5 end) as satisfaction_max,
        r.comment
    from survey_responses as r
    join branches as b on b.branch_id = r.branch_id
    where
        cast(r.submitted_at as date) between $start and $end
        -- Selected on b: regions, branch_types, branches; on r: channels, segments
        and (($components is null and $cell_component is null)
            or r.response_id in (select response_id from component_responses))
        and ($cell_branch is null or r.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_channel is null or r.channel = $cell_channel)
        and ($cell_segment is null or r.segment = $cell_segment)
        and ($cell_month is null or substring(cast(cast(r.submitted_at as date) as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', cast(r.submitted_at as date)) % 7) + 7) % 7 + 1 = $cell_weekday)
)
