-- Fragment: ticket_cells (included by the complaint count queries, see store.runner "-- Include:").
-- With a channel, segment, category or component selected, the complaint counts come from
-- rollup_ticket_cells (branch x day x channel x segment x category x component), the one ticket
-- rollup whose grain holds those columns; the including query names the switch in its header
-- ("-- Rollup choice: <its usual source> -> cell_complaints when $channels, ..."). The CTEs it does
-- not read never run. Family and component follow the category (complaint_categories), as in
-- ticket_facts.
cell_tickets as (
    select d.branch_id, d.opened_on, d.channel, d.category, d.tickets, d.complaints
    from rollup_ticket_cells as d
    where d.opened_on between $start and $end
        and ($channels is null or list_contains($channels, d.channel))
        and ($segments is null or list_contains($segments, d.segment))
        and ($categories is null or list_contains($categories, d.category))
        and ($components is null or list_contains($components, d.component_key))
),

cell_complaints as (
    select c.branch_id, c.opened_on, c.category, c.complaints
    from cell_tickets as c
    where c.complaints > 0
),

cell_channels as (
    select
        c.branch_id, c.opened_on, c.channel, c.tickets, c.complaints,
        case when cc.family = 'product' then c.complaints else 0 end as product_complaints,
        case when cc.family = 'service' then c.complaints else 0 end as service_complaints
    from cell_tickets as c
    left join complaint_categories as cc on cc.category = c.category
)
