-- tmp_weighted: the weighted SERVQUAL score respondent by respondent (Zeithaml, Parasuraman & Berry
-- 1990): each respondent's component gaps with their own importance points as shares, normalised over
-- the components that have both a gap and points (respondents with a total > 0).
-- Grain: response_id x component_key
-- Temporary: read by the two weighted rollups, dropped after the refresh
with pairs as (
    select rc.branch_id, rc.submitted_on, rc.channel, rc.segment, rc.response_id, rc.component_key,
           cast(i.points as double) as points,
           cast(rc.p - rc.e as double) / (select gap_scale from rollup_settings) as gap
    from rollup_response_components as rc
    join survey_importance as i on i.response_id = rc.response_id and i.component_key = rc.component_key
),
totals as (
    select response_id, sum(points) as total from pairs group by response_id having sum(points) > 0
)
select p.branch_id, p.submitted_on, p.channel, p.segment, p.response_id, p.component_key,
       p.points / t.total as share, p.gap
from pairs as p
join totals as t on t.response_id = p.response_id
