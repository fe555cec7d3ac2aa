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
--   segment, nps (0-10), overall_satisfaction (1-5), mean_perception, mean_gap (over the components
--   the respondent scored, of the component filter), comment (free text: mask before showing)
--
-- Optimised: each respondent's means over their components come from rollup_response_components
-- (scaled integer sums per response and component: one division each) instead of averaging
-- every survey item through response_component_scores. Sorted by mean_gap, the view's
-- doubles are kept (responses with equal gaps must keep the plain query's order to the last bit).
-- Oracle: rollup_response_components -> response_component_means
with scores as (
    select s.response_id, sum(s.p - s.e) / (st.gap_scale * count(*)) as mean_gap,
        sum(s.p) / (st.gap_scale * count(*)) as mean_perception
    from rollup_response_components as s
    cross join rollup_settings as st
    where s.submitted_on between $start and $end
        and ($components is null or list_contains($components, s.component_key))
        and ($cell_component is null or s.component_key = $cell_component)
        and coalesce($sort <> 'mean_gap', true)
    group by s.response_id, st.gap_scale

    union all

    select s.response_id, avg(s.gap) as mean_gap, avg(s.perception) as mean_perception
    from response_component_scores as s
    where $sort = 'mean_gap'
        and ($components is null or list_contains($components, s.component_key))
        and ($cell_component is null or s.component_key = $cell_component)
    group by s.response_id
),

-- Include: response_cell

select *
from cell_responses as r
order by
    case when $descending then null else case $sort
        when 'response_id' then r.response_id
        when 'branch' then r.branch_name
        when 'channel' then r.channel
        when 'segment' then r.segment
    end end asc nulls last,
    case when $descending then case $sort
        when 'response_id' then r.response_id
        when 'branch' then r.branch_name
        when 'channel' then r.channel
        when 'segment' then r.segment
    end end desc nulls last,
    case when $descending then null else case $sort
        when 'nps' then r.nps
        when 'overall_satisfaction' then r.overall_satisfaction
        when 'mean_gap' then r.mean_gap
    end end asc nulls last,
    case when $descending then case $sort
        when 'nps' then r.nps
        when 'overall_satisfaction' then r.overall_satisfaction
        when 'mean_gap' then r.mean_gap
    end end desc nulls last,
    case when $descending then null else case $sort
        when 'submitted_at' then r.submitted_at
    end end asc nulls last,
    case when $descending then case $sort
        when 'submitted_at' then r.submitted_at
    end end desc nulls last,
    r.response_id
limit $limit offset $offset
