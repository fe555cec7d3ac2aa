-- rollup_complaint_pair_months: complaint handling counts per channel and priority (handling_targets),
-- per branch and month; the period's partial months come from rollup_complaint_handling.
-- Grain: branch_id x month x channel x priority
-- Order: month, branch_id
-- Partition: month month
select
    cast(date_trunc('month', h.opened_on) as date) as month,
    h.branch_id,
    h.region,
    h.branch_type,
    h.channel,
    h.priority,
    count(*) as complaints,
    max(h.first_response_target) as first_response_target,
    max(h.resolution_target) as resolution_target,
    min(h.resolution_target) as resolution_target_low,  -- below the max: per-ticket deadlines that differ
    count(h.first_response_minutes) as responded_n,
    count(case when h.first_response_target is not null then h.first_response_judged_minutes end)
        as targeted_first_n,
    sum(case when h.first_response_judged_minutes <= h.first_response_target then 1 else 0 end)
        as first_response_within_target,
    count(h.first_response_open_minutes) as awaiting_first_n,
    count(h.resolution_minutes) as resolved_n,
    count(case when h.resolution_target is not null then h.resolution_judged_minutes end)
        as targeted_resolution_n,
    sum(case when h.resolution_judged_minutes <= h.resolution_target then 1 else 0 end)
        as resolution_within_target,
    count(h.resolution_open_minutes) as still_open_n
from rollup_complaint_handling as h
group by cast(date_trunc('month', h.opened_on) as date), h.branch_id, h.region, h.branch_type,
    h.channel, h.priority
