-- drill_responses: the survey responses behind a number, one page of them, for "Rows behind the
-- numbers". Sorting as in drill_tickets: a bound key from a fixed list, never SQL text.
-- Grain: one row per survey response in the filter (and cell), at most $limit rows from $offset.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components,
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_component, $cell_segment, $cell_month ('YYYY-MM'), $cell_weekday (1-7, Monday = 1):
--   the explore cell the rows are behind, each null for "any" (keys as in explore_tickets)
--   ($cell_component or the component filter: only responses that scored one of them)
--   $sort: response_id, branch, channel, segment, nps, overall_satisfaction, mean_gap or
--   submitted_at; $descending (boolean); $limit, $offset (rows)
-- Columns: response_id, submitted_at, branch_id, branch_name, region, branch_type, channel,
--   segment, recommend_answer and satisfaction_answer (would recommend, overall satisfaction: the
--   answer on the survey's own scale, recommend_min .. recommend_max and satisfaction_min ..
--   satisfaction_max; 0-10 and 1-5 on the classic scales), mean_perception, mean_gap (over the
--   SERVQUAL components the respondent scored, of the component filter), performance (the mean of
--   the respondent's component scores as percent of maximum possible, for surveys with or without
--   expectations), comment (free text: mask before showing)
--   Sorting by nps or overall_satisfaction sorts by the answer as percent of maximum possible (the
--   answer's own order on one scale; comparable across scales).
--
-- Sorted by any key but mean_gap, the page is cut from the responses first and only its rows'
-- means are computed, from rollup_response_components (scaled integer sums per response and
-- component: one division each). Sorted by mean_gap, every response's mean in the period is needed.
-- Oracle: rollup_response_components -> response_component_means
-- Oracle: rollup_response_performance -> response_component_performance
with
-- Include: response_cell

-- materialized: its rows are read four times below, and DuckDB would otherwise sort the period's
-- responses for each (a year at 10 M tickets: 274 ms, 88 ms materialized)
unscored_page as materialized (
    select c.*
    from cell_responses as c
    where coalesce($sort <> 'mean_gap', true)
    -- Order by $sort on c: response_id, branch = branch_name, channel, segment | nps = ((c.recommend_answer - c.recommend_min) / (c.recommend_max - c.recommend_min)), overall_satisfaction = ((c.satisfaction_answer - c.satisfaction_min) / (c.satisfaction_max - c.satisfaction_min)) | submitted_at; then response_id
    limit $limit offset $offset
),

-- The respondents' means over the components they scored (of the component filter or cell).
scores as (
    select s.response_id, sum(s.p - s.e) / (st.gap_scale * count(*)) as mean_gap,
        sum(s.p) / (st.gap_scale * count(*)) as mean_perception
    from rollup_response_components as s
    cross join rollup_settings as st
    where coalesce($sort <> 'mean_gap', true)
        and s.submitted_on between $start and $end
        -- the page's days only: their row groups (the rollup is stored in date order)
        and s.submitted_on >= (select min(cast(submitted_at as date)) from unscored_page)
        and s.submitted_on <= (select max(cast(submitted_at as date)) from unscored_page)
        and s.response_id in (select response_id from unscored_page)
        -- Selected on s: components
        and ($cell_component is null or s.component_key = $cell_component)
    group by s.response_id, st.gap_scale

    union all

    select s.response_id, sum(s.p - s.e) / (st.gap_scale * count(*)) as mean_gap,
        sum(s.p) / (st.gap_scale * count(*)) as mean_perception
    from rollup_response_components as s
    cross join rollup_settings as st
    where $sort = 'mean_gap'
        and s.submitted_on between $start and $end
        -- Selected on s: components
        and ($cell_component is null or s.component_key = $cell_component)
    group by s.response_id, st.gap_scale
),

page as materialized (
    select u.*, g.mean_perception, g.mean_gap
    from unscored_page as u
    left join scores as g on g.response_id = u.response_id
    union all
    (
        select *
        from (
            select c.*, g.mean_perception, g.mean_gap
            from cell_responses as c
            left join scores as g on g.response_id = c.response_id
            where $sort = 'mean_gap'
        ) as x
        -- Order by $sort on x: response_id, branch = branch_name, channel, segment | nps = ((x.recommend_answer - x.recommend_min) / (x.recommend_max - x.recommend_min)), overall_satisfaction = ((x.satisfaction_answer - x.satisfaction_min) / (x.satisfaction_max - x.satisfaction_min)), mean_gap | submitted_at; then response_id
        limit $limit offset $offset
    )
),

-- The page's respondents' performance: the mean over the components they rated (of the component
-- filter or cell) of their score as percent of maximum possible, as explore_performance has it.
performances as (
    select s.response_id, avg(s.performance) as performance
    from rollup_response_performance as s
    where s.submitted_on between $start and $end
        and s.submitted_on >= (select min(cast(submitted_at as date)) from page)
        and s.submitted_on <= (select max(cast(submitted_at as date)) from page)
        and s.response_id in (select response_id from page)
        -- Selected on s: components
        and ($cell_component is null or s.component_key = $cell_component)
    group by s.response_id
)

select
    r.response_id,
    r.submitted_at,
    r.branch_id,
    r.branch_name,
    r.region,
    r.branch_type,
    r.channel,
    r.segment,
    r.recommend_answer,
    r.recommend_min,
    r.recommend_max,
    r.satisfaction_answer,
    r.satisfaction_min,
    r.satisfaction_max,
    r.mean_perception,
    r.mean_gap,
    p.performance,
    r.comment
from page as r
left join performances as p on p.response_id = r.response_id
-- Order by $sort on r: response_id, branch = branch_name, channel, segment | nps = ((r.recommend_answer - r.recommend_min) / (r.recommend_max - r.recommend_min)), overall_satisfaction = ((r.satisfaction_answer - r.satisfaction_min) / (r.satisfaction_max - r.satisfaction_min)), mean_gap | submitted_at; then response_id
