-- monthly_complaints: complaints and customers served per calendar month.
-- Grain: one row per month that has customers served or tickets in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: month (first day, date), complaints, customers_served
-- The sums come from the `-- Measures:` lines: store/generate.py generates them from the rollups
-- (a channel, segment, category or component selection reads the finer ticket rollup) and, as
-- the tests' oracle, from the base views (`python -m servicequality sql NAME --plain`).
with
-- Measures: served = served by month: customers
-- Measures: counted = tickets by month: complaints
select
    coalesce(served.month, counted.month) as month,
    coalesce(counted.complaints, 0) as complaints,
    coalesce(served.customers, 0) as customers_served
from served
-- months with tickets but no complaint count only through their customers served
full outer join (select * from counted where complaints > 0) as counted on counted.month = served.month
order by month
