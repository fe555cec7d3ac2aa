-- component_tolerance_zone: zone of tolerance per component (Zeithaml, Berry & Parasuraman 1993).
-- Only respondents who gave an adequate (minimum acceptable) level for the component count, and
-- only the items that have one: adequate, desired and perceived levels are means over the same
-- people and the same items (a respondent's P - A pairs each item's P with its own A).
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
with scored as (
    select s.component_key, s.perception_paired as perception, s.expectation_paired as expectation, s.adequate
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
order by c.sort_order
