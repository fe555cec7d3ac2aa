-- component_tolerance_zone: zone of tolerance per component (Zeithaml, Berry & Parasuraman 1993).
-- Only respondents who gave an adequate (minimum acceptable) level for the component count, so
-- adequate, desired and perceived levels are means over the same people.
-- Grain: one row per component with at least one adequate level in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Columns:
--   component_key, component_name, sort_order
--   n                respondents with an adequate level for the component
--   mean_adequate    mean adequate level (bottom of the zone, 1-7)
--   mean_desired     mean desired level = the expectation item (top of the zone)
--   mean_perception  mean perceived level
--   mean_msa, sd_msa measure of service adequacy, per respondent P - adequate
--   mean_mss, sd_mss measure of service superiority, per respondent P - desired
-- Fast path: the rollups of servicequality/rollups.py (branch x day) when no channel or segment is selected;
-- otherwise the plain form (queries/plain/component_tolerance_zone.sql). Both give the same rows; DuckDB
-- folds the bound-parameter tests, so only one of the two runs.
select * from (
    with sums as (
        select
            d.component_key,
            sum(d.n_a) as n, sum(d.sum_a) as sa, sum(d.sum_e_a) as se, sum(d.sum_p_a) as sp,
            sum(d.sum_msa) as smsa, sum(d.sum_msa2) as smsa2, sum(d.sum_mss) as smss, sum(d.sum_mss2) as smss2
        from rollup_component_days as d
        join branches as b on b.branch_id = d.branch_id
        where d.submitted_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
            and ($components is null or list_contains($components, d.component_key))
        group by d.component_key
        having sum(d.n_a) > 0
    )

    select
        c.component_key,
        c.name as component_name,
        c.sort_order,
        cast(s.n as bigint) as n,
        cast(s.sa as double) / (s.n * st.gap_scale) as mean_adequate,
        cast(s.se as double) / (s.n * st.gap_scale) as mean_desired,
        cast(s.sp as double) / (s.n * st.gap_scale) as mean_perception,
        cast(s.smsa as double) / (s.n * st.gap_scale) as mean_msa,
        case when s.n > 1 then sqrt(cast(s.n * s.smsa2 - s.smsa * s.smsa as double) / (s.n * (s.n - 1))) / st.gap_scale end as sd_msa,
        cast(s.smss as double) / (s.n * st.gap_scale) as mean_mss,
        case when s.n > 1 then sqrt(cast(s.n * s.smss2 - s.smss * s.smss as double) / (s.n * (s.n - 1))) / st.gap_scale end as sd_mss
    from sums as s
    join components as c on c.component_key = s.component_key
    cross join rollup_settings as st
) as fast_path
where $channels is null and $segments is null

union all

select * from (
    with scored as (
        select s.component_key, s.perception, s.expectation, s.adequate
        from response_component_scores as s
        where s.submitted_on between $start and $end
            and s.adequate is not null
            and ($regions is null or list_contains($regions, s.region))
            and ($branch_types is null or list_contains($branch_types, s.branch_type))
            and ($branches is null or list_contains($branches, s.branch_id))
            and ($channels is null or list_contains($channels, s.channel))
            and ($segments is null or list_contains($segments, s.segment))
            and ($components is null or list_contains($components, s.component_key))
    )

    select
        c.component_key,
        c.name as component_name,
        c.sort_order,
        count(*) as n,
        avg(s.adequate) as mean_adequate,
        avg(s.expectation) as mean_desired,
        avg(s.perception) as mean_perception,
        avg(s.perception - s.adequate) as mean_msa,
        stddev_samp(s.perception - s.adequate) as sd_msa,
        avg(s.perception - s.expectation) as mean_mss,
        stddev_samp(s.perception - s.expectation) as sd_mss
    from scored as s
    join components as c on c.component_key = s.component_key
    group by c.component_key, c.name, c.sort_order
) as plain_path
where not ($channels is null and $segments is null)
order by sort_order
