-- explore_returns: identified customers' return rate per cell of one or two chosen dimensions, for
-- the Explore page (definitions as customer_returns: a customer counts once, at their first visit in
-- the period that the selections match; back when they visit again on a later day, at any branch,
-- within $return_days days; judged when that window ended by the last visit day the store holds).
-- The cell is the index visit's: its branch, region, branch type, channel, segment, month, weekday.
-- Visits have no complaint category or component: those dimensions give a null key.
-- Grain: one row per (key1, key2) with a customer in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $return_days,
--   $dim1, $dim2 (branch, region, branch_type, channel, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell (as explore_complaints)
--   customers    customers whose first visit in the period is in the cell
--   judged       of those, whose window closed by the as-of day
--   returned     of the judged, those back within $return_days days
with visit_days as (
    select d.customer_key, d.visited_on, lead(d.visited_on) over (partition by d.customer_key order by d.visited_on) as next_on
    from (select distinct customer_key, visited_on from visits) as d
),

ranked as (
    select
        v.customer_key,
        v.branch_id,
        b.region,
        b.branch_type,
        v.channel,
        v.segment,
        v.visited_on,
        row_number() over (partition by v.customer_key order by v.visited_on, v.branch_id, v.channel) as visit_rank
    from visits as v
    join branches as b on b.branch_id = v.branch_id
    where v.visited_on between $start and $end
        -- Selected on b: regions, branch_types; on v: branches, channels, segments
),

as_of as (
    select max(visited_on) as as_of from visits
),

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
        date_diff('day', i.visited_on, a.as_of) >= $return_days as judged,
        date_diff('day', i.visited_on, d.next_on) <= $return_days as back
    from ranked as i
    join visit_days as d on d.customer_key = i.customer_key and d.visited_on = i.visited_on
    cross join as_of as a
    where i.visit_rank = 1
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
