-- servqual_weighted: the importance-weighted SERVQUAL score, respondent by respondent (Zeithaml,
-- Parasuraman & Berry 1990); see queries/servqual_weighted.sql. Straight from the base tables.
-- Grain: one row per component with a part (no rows when no respondent has both).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns: component_key, mean_weight, contribution, n, score, sd_score
with pairs as (
    select s.response_id, s.component_key, s.gap, cast(i.points as double) as points
    from response_component_scores as s
    join survey_importance as i on i.response_id = s.response_id and i.component_key = s.component_key
    where s.submitted_on between $start and $end
        and ($regions is null or list_contains($regions, s.region))
        and ($branch_types is null or list_contains($branch_types, s.branch_type))
        and ($branches is null or list_contains($branches, s.branch_id))
        and ($channels is null or list_contains($channels, s.channel))
        and ($segments is null or list_contains($segments, s.segment))
),

weighted as (
    select p.response_id, p.component_key, p.gap, p.points / nullif(sum(p.points) over (partition by p.response_id), 0) as share
    from pairs as p
),

respondents as (
    select response_id, sum(share * gap) as weighted_gap
    from weighted
    where share is not null
    group by response_id
),

summary as (
    select count(*) as n, avg(weighted_gap) as score, stddev_samp(weighted_gap) as sd_score
    from respondents
)

select
    w.component_key,
    sum(w.share) / s.n as mean_weight,
    sum(w.share * w.gap) / s.n as contribution,
    s.n,
    s.score,
    s.sd_score
from weighted as w
join respondents as r on r.response_id = w.response_id
cross join summary as s
group by w.component_key, s.n, s.score, s.sd_score
order by w.component_key
