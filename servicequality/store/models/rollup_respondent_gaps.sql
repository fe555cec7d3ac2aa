-- rollup_respondent_gaps: each respondent's overall gap (the mean of their component gaps), as an
-- exact integer scaled by respondent_scale (x), and rounded to 9 decimals as the Kruskal-Wallis
-- queries rank it (gap_key); their overall perception (the mean of their component perceptions)
-- scaled the same way (xp).
-- Grain: response_id
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
select
    submitted_on,
    branch_id,
    channel,
    segment,
    response_id,
    cast(sum(p - e) * ((select respondent_scale from rollup_settings)
        // ((select gap_scale from rollup_settings) * count(*))) as bigint) as x,
    round(sum(p - e) / ((select gap_scale from rollup_settings) * count(*)), 9) as gap_key,
    cast(sum(p) * ((select respondent_scale from rollup_settings)
        // ((select gap_scale from rollup_settings) * count(*))) as bigint) as xp
from rollup_response_components
group by submitted_on, branch_id, channel, segment, response_id
