-- rollup_ticket_segment_months: the ticket sums per branch, month and segment (rollup_ticket_segments by month): a
-- period's whole months are read here, only the days of the months it cuts from rollup_ticket_segments.
-- Grain: branch_id x month_start x segment
-- Order: month_start, branch_id
-- Partition: month month_start
select
    d.branch_id,
    cast(date_trunc('month', d.opened_on) as date) as month_start,
    last_day(d.opened_on) as month_end,
    d.segment,
    {ticket_month_sums}
from rollup_ticket_segments as d
group by all
