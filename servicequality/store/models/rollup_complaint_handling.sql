-- rollup_complaint_handling: every complaint's times and targets as ticket_facts computes them, with
-- its branch's region and type (the filters need no join) and each value's bucket per measure
-- (tmp_handling_values), in date order (a period reads only its row groups).
-- Grain: complaint
-- Order: opened_on, branch_id
select
    c.opened_on, c.branch_id, c.region, c.branch_type, c.channel, c.priority,
    c.segment, c.category, c.family, c.component_key,
    c.first_response_minutes, c.resolution_minutes, c.first_response_target, c.resolution_target,
    c.first_response_open_minutes, c.resolution_open_minutes,
    c.first_response_judged_minutes, c.resolution_judged_minutes,
    b1.bucket as first_response_bucket,
    b2.bucket as resolution_bucket,
    b3.bucket as first_response_target_bucket,
    b4.bucket as resolution_target_bucket,
    b5.bucket as first_response_pair_bucket,
    b6.bucket as resolution_pair_bucket
from tmp_complaints as c
left join tmp_handling_values as b1 on b1.complaint_no = c.complaint_no and b1.measure = 1
left join tmp_handling_values as b2 on b2.complaint_no = c.complaint_no and b2.measure = 2
left join tmp_handling_values as b3 on b3.complaint_no = c.complaint_no and b3.measure = 3
left join tmp_handling_values as b4 on b4.complaint_no = c.complaint_no and b4.measure = 4
left join tmp_handling_values as b5 on b5.complaint_no = c.complaint_no and b5.measure = 5
left join tmp_handling_values as b6 on b6.complaint_no = c.complaint_no and b6.measure = 6
