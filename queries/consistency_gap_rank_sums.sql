-- consistency_gap_rank_sums: rank sums of respondents' overall SERVQUAL gaps per branch, for
-- the Kruskal-Wallis test across branches (H is computed in Python, servicequality.consistency).
-- Every respondent in the filter is ranked once over all branches; tied gaps get their average
-- rank: rank() + (ties - 1) / 2. Gaps are rounded to 9 decimals first so that equal answers
-- computed in a different order still tie.
-- Grain: one row per branch with at least one scored response.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns: branch_id, n (respondents), rank_sum (sum of their average ranks)
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel, segment or component is selected;
-- otherwise the plain form (queries/plain/consistency_gap_rank_sums.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    with respondent_gap as (
        select g.branch_id, g.gap_key as gap
        from rollup_respondent_gaps as g
        join branches as b on b.branch_id = g.branch_id
        where g.submitted_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, g.branch_id))
    ),

    tie_groups as (
        select gap, count(*) as t
        from respondent_gap
        group by gap
    ),

    value_ranks as (
        select gap, t, coalesce(sum(t) over (order by gap rows between unbounded preceding and 1 preceding), 0) as below
        from tie_groups
    ),

    per_value as (
        select branch_id, gap, count(*) as n
        from respondent_gap
        group by branch_id, gap
    )

    select
        p.branch_id,
        cast(sum(p.n) as bigint) as n,
        sum(p.n * (v.below + (v.t + 1) / 2.0)) as rank_sum
    from per_value as p
    join value_ranks as v on v.gap = p.gap
    group by p.branch_id
) as fast_path
where $channels is null and $segments is null and $components is null

union all

select * from (
    with respondent_gap as (
        select s.response_id, s.branch_id, round(avg(s.gap), 9) as gap
        from response_component_scores as s
        where s.submitted_on between $start and $end
            and ($regions is null or list_contains($regions, s.region))
            and ($branch_types is null or list_contains($branch_types, s.branch_type))
            and ($branches is null or list_contains($branches, s.branch_id))
            and ($channels is null or list_contains($channels, s.channel))
            and ($segments is null or list_contains($segments, s.segment))
            and ($components is null or list_contains($components, s.component_key))
        group by s.response_id, s.branch_id
    ),

    ranked as (
        select
            branch_id,
            rank() over (order by gap) + (count(*) over (partition by gap) - 1) / 2.0 as average_rank
        from respondent_gap
    )

    select branch_id, count(*) as n, sum(average_rank) as rank_sum
    from ranked
    group by branch_id
) as plain_path
where not ($channels is null and $segments is null and $components is null)
order by branch_id
