-- survey_overall: overall satisfaction and would-recommend, on any scale, as percent of maximum possible.
-- Grain: one row for the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types
-- Reads the base view response_answers (surveys are small beside tickets): this text is its own reference form.
-- A survey that asks overall satisfaction on 1-5 (the overall_satisfaction column) or NPS on 0-10 counts
-- here too, rescaled the same way: 100 * (answer - min) / (max - min).
-- Columns:
--   responses                   survey responses in the filter
--   n_satisfaction              responses with an overall satisfaction answer
--   mean_satisfaction, sd_satisfaction   its mean and sd, 0-100
--   satisfaction_scales         the scales it was asked on, e.g. '1-10' or '1-5, 1-10'
--   mean_satisfaction_rating    mean on the survey's own scale; null when answers came on several scales
--   n_recommend, mean_recommend, sd_recommend, recommend_scales, mean_recommend_rating   likewise
--   recommend_flag_yes          responses answering yes where recommend is a 0/1 flag (else null)
with answers as (
    select a.*
    from response_answers as a
    where a.submitted_on between $start and $end
        -- Selected on a: regions, branch_types, branches, channels, segments

),

-- The scales each question was asked on, one row each (a distinct step of its own: Spark 4 cannot
-- run two distinct aggregates beside a string_agg in one select).
scales as (
    select 's' as question, s_min || '-' || s_max as scale from answers where s_min is not null and s_max is not null
    union
    select 'r' as question, r_min || '-' || r_max as scale from answers where r_min is not null and r_max is not null
),

scale_lists as (
    select
        string_agg(scale, ', ' order by scale) filter (where question = 's') as satisfaction_scales,
        count(*) filter (where question = 's') as n_satisfaction_scales,
        string_agg(scale, ', ' order by scale) filter (where question = 'r') as recommend_scales,
        count(*) filter (where question = 'r') as n_recommend_scales
    from scales
),

totals as (
    select
        count(*) as responses,
        count(s_answer) as n_satisfaction,
        avg(satisfaction) as mean_satisfaction,
        stddev_samp(satisfaction) as sd_satisfaction,
        avg(s_answer) as mean_s_answer,
        count(r_answer) as n_recommend,
        avg(recommend) as mean_recommend,
        stddev_samp(recommend) as sd_recommend,
        avg(r_answer) as mean_r_answer,
        min(r_min) as lowest_r_min,
        max(r_max) as highest_r_max,
        cast(sum(r_answer) as bigint) as sum_r_answer
    from answers
)

select
    t.responses,
    t.n_satisfaction,
    t.mean_satisfaction,
    t.sd_satisfaction,
    l.satisfaction_scales,
    case when l.n_satisfaction_scales = 1 then t.mean_s_answer end as mean_satisfaction_rating,
    t.n_recommend,
    t.mean_recommend,
    t.sd_recommend,
    l.recommend_scales,
    case when l.n_recommend_scales = 1 then t.mean_r_answer end as mean_recommend_rating,
    case when l.n_recommend_scales = 1 and t.lowest_r_min = 0 and t.highest_r_max = 1
        then t.sum_r_answer end as recommend_flag_yes
from totals as t
cross join scale_lists as l
