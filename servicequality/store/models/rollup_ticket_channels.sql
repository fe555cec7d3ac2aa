-- rollup_ticket_channels: the ticket sums (store/facts.py) per branch, day and channel, summed from
-- the finer rollup_ticket_cells' rows (every ticket is in one cell: the sums add up).
-- Grain: branch_id x opened_on x channel
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    d.branch_id,
    d.opened_on,
    d.channel,
    {ticket_sums_of_sums}
from rollup_ticket_cells as d
group by d.branch_id, d.opened_on, d.channel
