-- rollup_ticket_days: the ticket sums per branch and day, each sum written once with the tickets
-- fact (store/facts.py). The cell columns are nulls, so one query text filters this
-- table or its finer twin rollup_ticket_cells (a query's "-- Rollup choice:").
-- Summed from that twin's rows (every ticket is in one cell: the sums add up), not from ticket_facts
-- again: at 10 M tickets the cells are 5.7 M rows of sums made already, where the view joins and
-- computes the times of 10 M tickets.
-- Grain: branch_id x opened_on
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    d.branch_id,
    d.opened_on,
    cast(null as varchar) as channel,
    cast(null as varchar) as segment,
    cast(null as varchar) as category,
    cast(null as varchar) as component_key,
    {ticket_sums_of_sums}
from rollup_ticket_cells as d
group by d.branch_id, d.opened_on
