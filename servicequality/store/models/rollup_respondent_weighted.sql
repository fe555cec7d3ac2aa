-- rollup_respondent_weighted: each respondent's weighted gap (the sum of share x gap, tmp_weighted).
-- Grain: response_id
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
select branch_id, submitted_on, channel, segment, response_id, sum(share * gap) as weighted_gap
from tmp_weighted
group by branch_id, submitted_on, channel, segment, response_id
