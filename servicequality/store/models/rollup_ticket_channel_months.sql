-- rollup_ticket_channel_months: the ticket sums per branch, month and channel (rollup_ticket_channels by month): a
-- period's whole months are read here, only the days of the months it cuts from rollup_ticket_channels.
-- Grain: branch_id x month_start x channel
-- Order: month_start, branch_id
-- Partition: month month_start
select
    d.branch_id,
    cast(date_trunc('month', d.opened_on) as date) as month_start,
    last_day(d.opened_on) as month_end,
    d.channel,
    {ticket_month_sums}
from rollup_ticket_channels as d
group by all
