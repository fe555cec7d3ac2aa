-- servqual_weighted: the importance-weighted SERVQUAL score, respondent by respondent (Zeithaml,
-- Parasuraman & Berry 1990): each respondent's component gaps are weighted by their own importance
-- points, normalised to sum 1 over the components that have both a gap and points; the score is
-- the mean of those weighted gaps over the respondents who have both. A component's part is the
-- mean over the same respondents of (their weight x their gap); the parts sum to the score.
-- Grain: one row per component with a part (no rows when no respondent has both).
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Columns:
--   component_key
--   mean_weight   mean over the respondents of the component's share of their points (0 when not scored)
--   contribution  mean over the respondents of share x gap
--   n             respondents with both gaps and importance points
--   score         mean weighted gap (= the sum of the contributions)
--   sd_score      sample standard deviation of the respondents' weighted gaps
-- The respondents' weighted gaps come from rollup_respondent_weighted (one row per respondent; its plain
-- form is the view it materialises), the components' sums from the `-- Measures:` line (store/facts.py:
-- rollup_weighted_component_days, or as the tests' oracle the view weighted_gaps).
-- Oracle: rollup_respondent_weighted -> respondent_weighted_gaps
with
-- Measures: parts = weighted_gaps by component_key: sum_share, sum_share_gap
respondents as (
    select count(*) as n, avg(w.weighted_gap) as score, stddev_samp(w.weighted_gap) as sd_score
    from rollup_respondent_weighted as w
    join branches as b on b.branch_id = w.branch_id
    where w.submitted_on between $start and $end
        -- Selected on b: regions, branch_types, branches; on w: channels, segments
)

select
    p.component_key,
    p.sum_share / r.n as mean_weight,
    p.sum_share_gap / r.n as contribution,
    r.n,
    r.score,
    r.sd_score
from parts as p
cross join respondents as r
where r.n > 0
order by p.component_key
