-- rollup_ticket_days: the ticket sums per branch and day, each sum written once with the tickets
-- fact (store/facts.py). The cell columns are nulls, so one query text filters this
-- table or its finer twin rollup_ticket_cells (a query's "-- Rollup choice:").
-- Grain: branch_id x opened_on
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    f.branch_id,
    f.opened_on,
    cast(null as varchar) as channel,
    cast(null as varchar) as segment,
    cast(null as varchar) as category,
    cast(null as varchar) as component_key,
    {ticket_sums}
from ticket_facts as f
group by f.branch_id, f.opened_on
