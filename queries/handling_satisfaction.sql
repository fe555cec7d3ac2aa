-- handling_satisfaction: how satisfied complainants were with the handling, score by score.
-- Grain: one row per satisfaction score (1-5), zero when no complaint got that score.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: satisfaction (1-5), complaints (complaints opened in the period with that score)
-- Reads the rollups of servicequality/store/rollups.py (branch x day). A channel, segment,
-- category or component selection reads rollup_ticket_cells (branch x day x those) instead.
-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when $channels, $segments, $categories, $components
with sums as (
    select
        sum(d.satisfaction_1) as s1, sum(d.satisfaction_2) as s2, sum(d.satisfaction_3) as s3,
        sum(d.satisfaction_4) as s4, sum(d.satisfaction_5) as s5
    from rollup_ticket_days as d
    join branches as b on b.branch_id = d.branch_id
    where ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and ($categories is null or list_contains($categories, d.category))
        and ($components is null or list_contains($components, d.component_key))
        and d.opened_on between $start and $end
        and ($regions is null or list_contains($regions, b.region))
        and ($branch_types is null or list_contains($branch_types, b.branch_type))
        and ($branches is null or list_contains($branches, d.branch_id))
)

select 1 as satisfaction, cast(coalesce(s1, 0) as bigint) as complaints from sums
union all select 2, cast(coalesce(s2, 0) as bigint) from sums
union all select 3, cast(coalesce(s3, 0) as bigint) from sums
union all select 4, cast(coalesce(s4, 0) as bigint) from sums
union all select 5, cast(coalesce(s5, 0) as bigint) from sums
order by satisfaction
