-- complaint_channels: complaints per channel, split by family, with all tickets for context.
-- Grain: one row per channel with tickets in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: channel, tickets (all kinds), complaints, product_complaints, service_complaints
-- Reads the rollups of servicequality/store/rollups.py (branch x day).
-- With a channel, segment, category or component selected, the counts come from rollup_ticket_cells
-- (queries/fragments/ticket_cells.sql).
-- Rollup choice: rollup_ticket_channels -> cell_channels when $channels, $segments, $categories, $components
with
-- Include: ticket_cells

per_channel as (
    select
        d.channel,
        cast(sum(d.tickets) as bigint) as tickets,
        sum(d.complaints) as complaints,
        sum(d.product_complaints) as product_complaints,
        sum(d.service_complaints) as service_complaints
    from rollup_ticket_channels as d
    join branches as b on b.branch_id = d.branch_id
        where d.opened_on between $start and $end
            and ($regions is null or list_contains($regions, b.region))
            and ($branch_types is null or list_contains($branch_types, b.branch_type))
            and ($branches is null or list_contains($branches, d.branch_id))
    group by d.channel
)

select * from per_channel
order by complaints desc, channel
