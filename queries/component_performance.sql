-- component_performance: how each component was rated, from every rated item, with or without an
-- expectation (the SERVPERF reading of a survey: Cronin & Taylor 1992).
-- Grain: one row per component of the `components` table (n = 0 when nobody rated it).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $components
-- Reads rollup_response_performance (response_component_performance materialised by
-- servicequality/store/rollups.py); its plain form is this text on the view.
-- Oracle: rollup_response_performance -> response_component_performance
-- Columns:
--   component_key, component_name, rater_group, sort_order
--   n                 respondents who rated the component
--   rated_answers     item answers that are ratings (a respondent rates several items of a component)
--   mean_performance  mean over respondents of their component score as percent of maximum possible
--                     (0 = worst answer, 100 = best; items on different scales compare)
--   sd_performance    sample standard deviation of those scores (for the t interval)
--   mean_top2, sd_top2  likewise for the share of the component's items rated in the two best points
--   mean_rating, sd_rating  mean and sd of the respondent's mean rating on the items' own scale (oriented,
--                     higher is better); null when the component's items do not share one scale
--   scale_min, scale_max  that scale; null when the items do not share one
--   scales            the scales the respondents' component scores came on, e.g. '1-3, 1-4'
--   n_expectation     respondents who also gave expectations (SERVQUAL); 0 in a performance-only survey
--   not_applicable, dont_know, not_rated, blank  answers to the component's items that are not ratings
-- One pass over the rollup: the scales' test rides in the same aggregate (two passes took 0.24 s at
-- 10 M tickets, one 0.19 s; a CTE read twice is materialised whole first, 1.5 s).
with aggregated as (
    select
        p.component_key,
        count(*) as n,
        sum(p.n_items) as rated_answers,
        avg(p.performance) as mean_performance,
        stddev_samp(p.performance) as sd_performance,
        avg(p.top2) as mean_top2,
        stddev_samp(p.top2) as sd_top2,
        avg(p.perception) as mean_perception,
        stddev_samp(p.perception) as sd_perception,
        min(p.scale_min) as lowest,
        max(p.scale_max) as highest,
        string_agg(distinct p.scale_min || '-' || p.scale_max, ', ' order by p.scale_min || '-' || p.scale_max) as scales,
        count(*) filter (where p.has_expectation) as n_expectation,
        -- the raw mean means something only when every rated item shares one scale: each respondent's
        -- items did (one_scale) and every respondent's scale is the same (one lowest, one highest point)
        bool_and(p.one_scale) and min(p.scale_min) = max(p.scale_min) and min(p.scale_max) = max(p.scale_max)
            as one_scale
    from rollup_response_performance as p
    where p.submitted_on between $start and $end
        -- Selected on p: regions, branch_types, branches, channels, segments, components
    group by p.component_key
),

performance as (
    select
        a.component_key, a.n, a.rated_answers, a.mean_performance, a.sd_performance, a.mean_top2, a.sd_top2,
        case when a.one_scale then a.mean_perception end as mean_rating,
        case when a.one_scale then a.sd_perception end as sd_rating,
        case when a.one_scale then a.lowest end as scale_min,
        case when a.one_scale then a.highest end as scale_max,
        a.scales,
        a.n_expectation
    from aggregated as a
),

missing as (
    select
        m.component_key,
        count(*) filter (where m.reason = 'not applicable') as not_applicable,
        count(*) filter (where m.reason = 'don''t know') as dont_know,
        count(*) filter (where m.reason = 'not rated') as not_rated,
        count(*) filter (where m.reason = 'blank') as blank
    from survey_item_missing as m
    join survey_responses as r on r.response_id = m.response_id
    join branches as b on b.branch_id = r.branch_id
    where cast(r.submitted_at as date) between $start and $end
        -- Selected on b: regions, branch_types, branches; on r: channels, segments; on m: components
    group by m.component_key
)

select
    c.component_key,
    c.name as component_name,
    c.rater_group,
    c.sort_order,
    coalesce(p.n, 0) as n,
    coalesce(p.rated_answers, 0) as rated_answers,
    p.mean_performance,
    p.sd_performance,
    p.mean_top2,
    p.sd_top2,
    p.mean_rating,
    p.sd_rating,
    p.scale_min,
    p.scale_max,
    p.scales,
    coalesce(p.n_expectation, 0) as n_expectation,
    coalesce(m.not_applicable, 0) as not_applicable,
    coalesce(m.dont_know, 0) as dont_know,
    coalesce(m.not_rated, 0) as not_rated,
    coalesce(m.blank, 0) as blank
from components as c
left join performance as p on p.component_key = c.component_key
left join missing as m on m.component_key = c.component_key
order by c.sort_order
