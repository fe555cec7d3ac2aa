-- Fragment: gap_tie_groups (included by the Kruskal-Wallis queries, see store.runner "-- Include:").
-- Gives `respondent_gap` (branch_id, gap: each respondent's overall gap in the filter, rounded to 9
-- decimals as rollup_respondent_gaps keys it, so equal gaps tie) and `tie_groups` (gap, t: how many
-- respondents share each value).
respondent_gap as (
    select g.branch_id, g.gap_key as gap
    from rollup_respondent_gaps as g
    join branches as b on b.branch_id = g.branch_id
    where ($channels is null or list_contains($channels, g.channel))
        and ($segments is null or list_contains($segments, g.segment))
        and g.submitted_on between $start and $end
        -- Selected on b: regions, branch_types, branches
),

tie_groups as (
    select gap, count(*) as t
    from respondent_gap
    group by gap
)
