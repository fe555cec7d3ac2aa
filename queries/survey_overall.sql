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
)

select
    count(*) as responses,
    count(s_answer) as n_satisfaction,
    avg(satisfaction) as mean_satisfaction,
    stddev_samp(satisfaction) as sd_satisfaction,
    string_agg(distinct s_min || '-' || s_max, ', ' order by s_min || '-' || s_max) as satisfaction_scales,
    case when count(distinct s_min || '-' || s_max) = 1 then avg(s_answer) end as mean_satisfaction_rating,
    count(r_answer) as n_recommend,
    avg(recommend) as mean_recommend,
    stddev_samp(recommend) as sd_recommend,
    string_agg(distinct r_min || '-' || r_max, ', ' order by r_min || '-' || r_max) as recommend_scales,
    case when count(distinct r_min || '-' || r_max) = 1 then avg(r_answer) end as mean_recommend_rating,
    case when count(distinct r_min || '-' || r_max) = 1 and min(r_min) = 0 and max(r_max) = 1
        then cast(sum(r_answer) as bigint) end as recommend_flag_yes
from answers
