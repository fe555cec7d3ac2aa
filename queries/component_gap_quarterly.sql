-- component_gap_quarterly: SERVQUAL gap per component and calendar quarter (the trend chart).
-- Grain: one row per quarter and component with scored responses in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   period          first day of the quarter (date)
--   component_key, component_name, sort_order
--   n               respondents who scored the component that quarter
--   mean_gap        mean over respondents of (mean P - mean E over the component's items)
--   sd_gap          sample standard deviation of the respondent gaps
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel or segment is selected;
-- otherwise the plain form (queries/plain/component_gap_quarterly.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    with sums as (
        select
            cast(date_trunc('quarter', d.submitted_on) as date) as period,
            d.component_key,
            sum(d.n) as n, sum(d.sum_g) as sg, sum(d.sum_gg) as sgg
        from rollup_component_days as d
        join branches as b on b.branch_id = d.branch_id
        where d.submitted_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
            and ($components is null or list_contains($components, d.component_key))
        group by cast(date_trunc('quarter', d.submitted_on) as date), d.component_key
    )

    select
        s.period,
        c.component_key,
        c.name as component_name,
        c.sort_order,
        cast(s.n as bigint) as n,
        cast(s.sg as double) / (s.n * st.gap_scale) as mean_gap,
        case when s.n > 1 then sqrt(cast(s.n * s.sgg - s.sg * s.sg as double) / (s.n * (s.n - 1))) / st.gap_scale end as sd_gap
    from sums as s
    join components as c on c.component_key = s.component_key
    cross join rollup_settings as st
) as fast_path
where $channels is null and $segments is null

union all

select * from (
    with scored as (
        select s.component_key, cast(date_trunc('quarter', s.submitted_on) as date) as period, s.gap
        from response_component_scores as s
        where s.submitted_on between $start and $end
            and ($regions is null or list_contains($regions, s.region))
            and ($branch_types is null or list_contains($branch_types, s.branch_type))
            and ($branches is null or list_contains($branches, s.branch_id))
            and ($channels is null or list_contains($channels, s.channel))
            and ($segments is null or list_contains($segments, s.segment))
            and ($components is null or list_contains($components, s.component_key))
    )

    select
        s.period,
        c.component_key,
        c.name as component_name,
        c.sort_order,
        count(*) as n,
        avg(s.gap) as mean_gap,
        stddev_samp(s.gap) as sd_gap
    from scored as s
    join components as c on c.component_key = s.component_key
    group by s.period, c.component_key, c.name, c.sort_order
) as plain_path
where not ($channels is null and $segments is null)
order by period, sort_order
