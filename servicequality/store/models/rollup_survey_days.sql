-- rollup_survey_days: responses, satisfaction (CSAT: 4 or 5 of 5), NPS answers, and the respondents'
-- overall gaps and perceptions (rollup_respondent_gaps: sums and sums of squares of the scaled
-- integers).
-- Grain: branch_id x submitted_on x channel x segment
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
select
    r.branch_id,
    cast(r.submitted_at as date) as submitted_on,
    r.channel,
    r.segment,
    count(*) as responses,
    count(r.overall_satisfaction) as csat_n,
    sum(case when r.overall_satisfaction >= 4 then 1 else 0 end) as csat_satisfied,
    count(r.nps) as nps_n,
    sum(case when r.nps >= 9 then 1 else 0 end) as promoters,
    sum(case when r.nps <= 6 then 1 else 0 end) as detractors,
    count(g.x) as gap_n,
    sum(g.x) as sum_x,
    sum(cast(g.x as hugeint) * g.x) as sum_xx,
    sum(g.xp) as sum_xp,
    sum(cast(g.xp as hugeint) * g.xp) as sum_xpxp
from survey_responses as r
left join rollup_respondent_gaps as g on g.response_id = r.response_id
group by r.branch_id, cast(r.submitted_at as date), r.channel, r.segment
