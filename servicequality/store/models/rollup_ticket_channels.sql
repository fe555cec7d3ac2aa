-- rollup_ticket_channels: the ticket sums (store/facts.py) per branch, day and channel.
-- Grain: branch_id x opened_on x channel
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    f.branch_id,
    f.opened_on,
    f.channel,
    {ticket_sums}
from ticket_facts as f
group by f.branch_id, f.opened_on, f.channel
