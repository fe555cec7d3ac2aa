-- rollup_ticket_cells: the ticket sums (store/facts.py) per branch, day and cell:
-- read when a channel, segment, category or component is selected.
-- Grain: branch_id x opened_on x channel x segment x category x component_key
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    f.branch_id,
    f.opened_on,
    f.channel,
    f.segment,
    f.category,
    f.component_key,
    {ticket_sums}
from ticket_facts as f
group by f.branch_id, f.opened_on, f.channel, f.segment, f.category, f.component_key
