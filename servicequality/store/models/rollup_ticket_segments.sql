-- rollup_ticket_segments: the ticket sums (store/facts.py) per branch, day and customer segment:
-- read under a segment selection (a sixth of the cells' rows at 10 M tickets), or by segment.
-- Summed from the finer rollup_ticket_cells' rows.
-- Grain: branch_id x opened_on x segment
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    d.branch_id,
    d.opened_on,
    d.segment,
    {ticket_sums_of_sums}
from rollup_ticket_cells as d
group by d.branch_id, d.opened_on, d.segment
