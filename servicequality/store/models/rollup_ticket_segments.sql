-- rollup_ticket_segments: the ticket sums (store/facts.py) per branch, day and customer segment:
-- read under a segment selection (a sixth of the cells' rows at 10 M tickets), or by segment.
-- Grain: branch_id x opened_on x segment
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    f.branch_id,
    f.opened_on,
    f.segment,
    {ticket_sums}
from ticket_facts as f
group by f.branch_id, f.opened_on, f.segment
