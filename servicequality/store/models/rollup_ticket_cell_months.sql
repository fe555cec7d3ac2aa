-- rollup_ticket_cell_months: the ticket sums per branch, month and cell (rollup_ticket_cells by month): a
-- period's whole months are read here, only the days of the months it cuts from rollup_ticket_cells.
-- Grain: branch_id x month_start x channel x segment x category x component_key
-- Order: month_start, branch_id
-- Partition: month month_start
select
    d.branch_id,
    cast(date_trunc('month', d.opened_on) as date) as month_start,
    last_day(d.opened_on) as month_end,
    d.channel,
    d.segment,
    d.category,
    d.component_key,
    {ticket_month_sums}
from rollup_ticket_cells as d
group by all
