-- explore_returns: identified customers' return rate per cell of one or two chosen dimensions, for
-- the Explore page (definitions as customer_returns: a customer counts once, at their first visit in
-- the period that the selections match; back when they visit again on a later day, at any branch,
-- within $return_days days; judged when that window ended by the last visit day the store holds).
-- The cell is the index visit's: its branch, region, branch type, channel, segment, month, weekday.
-- Visits have no complaint category or component: those dimensions give a null key.
-- Oracle: the rollups' models
-- Grain: one row per (key1, key2) with a customer in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $return_days,
--   $dim1, $dim2 (branch, region, branch_type, channel, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell (as explore_complaints)
--   customers    customers whose first visit in the period is in the cell
--   judged       of those, whose window closed by the as-of day
--   returned     of the judged, those back within $return_days days
with
-- Include: customer_index_visits (per customer_key; since $start)
cells as (
    select
        case $dim1
            when 'branch' then i.branch_id
            when 'region' then i.region
            when 'branch_type' then i.branch_type
            when 'channel' then coalesce(i.channel, 'Not recorded')
            when 'segment' then coalesce(i.segment, 'Not recorded')
            when 'month' then substring(cast(i.visited_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', i.visited_on) % 7) + 7) % 7 + 1 as varchar)
        end as key1,
        case $dim2
            when 'branch' then i.branch_id
            when 'region' then i.region
            when 'branch_type' then i.branch_type
            when 'channel' then coalesce(i.channel, 'Not recorded')
            when 'segment' then coalesce(i.segment, 'Not recorded')
            when 'month' then substring(cast(i.visited_on as varchar), 1, 7)
            when 'weekday' then cast(((date_diff('day', date '2000-01-03', i.visited_on) % 7) + 7) % 7 + 1 as varchar)
        end as key2,
        i.judged,
        i.back
    from customer_index_visits as i
)

select
    key1,
    key2,
    count(*) as customers,
    count(case when judged then 1 end) as judged,
    count(case when judged and back then 1 end) as returned
from cells
group by key1, key2
order by key1, key2
