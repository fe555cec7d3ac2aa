-- complaint_summary: complaints and customers served in the filtered period.
-- The channel and segment filters narrow the complaints only: customers served are counted
-- per branch and day, not per channel or segment.
-- Grain: one row.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: complaints, customers_served, tickets, compliments (reputation = compliments / (compliments +
--   complaints))
-- The sums come from the `-- Measures:` lines: store/generate.py generates them from the rollups
-- (a channel, segment, category or component selection reads the finer ticket rollup) and, as
-- the tests' oracle, from the base views (`python -m servicequality sql NAME --plain`).
with
-- Measures: served = served: customers
-- Measures: counted = tickets: tickets, complaints, compliments
select
    counted.complaints,
    coalesce(served.customers, 0) as customers_served,
    counted.tickets,
    counted.compliments
from counted
cross join served
