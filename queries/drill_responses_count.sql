-- drill_responses_count: how many survey responses the rows page lists (drill_responses).
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components,
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_component, $cell_segment, $cell_month ('YYYY-MM'), $cell_weekday (1-7, Monday = 1):
--   the explore cell the rows are behind, each null for "any" (keys as in explore_tickets)
--   ($cell_component or the component filter: only responses that scored one of them)
-- Columns: total_rows
--
-- Optimised: each respondent's means over their components come from rollup_response_components
-- (scaled integer sums per response and component: one division each) instead of averaging
-- every survey item through response_component_scores. Without a component filter or cell every
-- response counts, scores or not: the scores are then not read at all.
-- Oracle: rollup_response_components -> response_component_means
with scores as (
    select s.response_id, sum(s.p - s.e) / (st.gap_scale * count(*)) as mean_gap,
        sum(s.p) / (st.gap_scale * count(*)) as mean_perception
    from rollup_response_components as s
    cross join rollup_settings as st
    where ($components is not null or $cell_component is not null)
        and s.submitted_on between $start and $end
        and ($components is null or list_contains($components, s.component_key))
        and ($cell_component is null or s.component_key = $cell_component)
    group by s.response_id, st.gap_scale
),

-- Include: response_cell

select count(*) as total_rows
from cell_responses
