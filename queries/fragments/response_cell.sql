-- Fragment: response_cell (included by the survey drill-down queries, see store.runner "-- Include:").
-- Needs the CTE `scores` (response_id, mean_perception, mean_gap: the responses' scores over the
-- selected components); gives `cell_responses`: every survey response in the filter and in the
-- Explore cell the $cell_<dimension> parameters name (each null for "any"), with its branch and
-- scores. A component selection or cell keeps the responses that scored one.
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
        r.nps,
        r.overall_satisfaction,
        g.mean_perception,
        g.mean_gap,
        r.comment
    from survey_responses as r
    join branches as b on b.branch_id = r.branch_id
    left join scores as g on g.response_id = r.response_id
    where
        cast(r.submitted_at as date) between $start and $end
        -- Selected on b: regions, branch_types; on r: branches, channels, segments
        and (($components is null and $cell_component is null) or g.response_id is not null)
        and ($cell_branch is null or r.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_channel is null or r.channel = $cell_channel)
        and ($cell_segment is null or r.segment = $cell_segment)
        and ($cell_month is null or substring(cast(cast(r.submitted_at as date) as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', cast(r.submitted_at as date)) % 7) + 7) % 7 + 1 = $cell_weekday)
)
