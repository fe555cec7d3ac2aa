-- complaint_channels: complaints per channel, split by family, with all tickets for context.
-- Grain: one row per channel with tickets in the filter, most complaints first.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: channel, tickets (all kinds), complaints, product_complaints, service_complaints
-- The counts come from the `-- Measures:` line: store/generate.py generates them from the smallest
-- ticket rollup whose grain holds the keys (rollup_ticket_cells when a selection needs its grain)
-- and, as the tests' oracle, from ticket_facts (`python -m servicequality sql NAME --plain`).
with
-- Measures: per_channel = tickets by channel: tickets, complaints, product_complaints, service_complaints
select channel, tickets, complaints, product_complaints, service_complaints
from per_channel
order by complaints desc, channel
