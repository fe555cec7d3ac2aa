-- rollup_weighted_component_days: per component the sums of the respondents' shares and of share x
-- gap (the component's part of the weighted score, tmp_weighted).
-- Grain: branch_id x submitted_on x channel x segment x component_key
-- Order: submitted_on, branch_id, component_key
-- Partition: day submitted_on
select branch_id, submitted_on, channel, segment, component_key,
       sum(share) as sum_share, sum(share * gap) as sum_share_gap
from tmp_weighted
group by branch_id, submitted_on, channel, segment, component_key
