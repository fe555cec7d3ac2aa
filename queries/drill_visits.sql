-- drill_visits: the visits of identified customers behind a number, one page of them, for "Rows
-- behind the numbers" (a store of purchases or visits alone has no other rows to show). Sorting as
-- in drill_tickets: a bound key from a fixed list, never SQL text. No customer's key leaves the
-- store (tests/ingest/test_import_customers.py): a visit shows instead how many days after the
-- same customer's previous visit it came, which is what a return rate counts.
-- Grain: one row per visit in the filter (and cell), at most $limit rows from $offset.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types,
--   $cell_branch, $cell_region, $cell_branch_type, $cell_channel, $cell_segment, $cell_month
--   ('YYYY-MM'), $cell_weekday (1-7, Monday = 1): the explore cell the rows are behind, each null for "any"
--   $sort: branch, channel, segment, value or visited_on; $descending (boolean); $limit, $offset (rows)
-- Oracle: the rollups' models
-- Columns: visited_on, days_since_previous (days since the same customer's latest earlier visit, at
--   any branch and before the period too; null for their first visit on record), branch_id,
--   branch_name, region, branch_type, channel, segment, value (spend or value of the visit), referred
--   (came on a referral); null: not recorded
with
-- Include: visit_cell

page as materialized (
    select c.*
    from cell_visits as c
    -- Order by $sort on c: branch = branch_name, channel, segment | value | visited_on; then visit_key
    limit $limit offset $offset
),

-- The page's customers' previous visit days (rollup_visit_days, in date order: only the page's days
-- are read; joining every visit by customer took half a year's 0.8 s at 10 M tickets).
previous as (
    select distinct r.customer_key, r.visited_on, r.previous_on
    from rollup_visit_days as r
    where r.visited_on between (select min(visited_on) from page) and (select max(visited_on) from page)
        and r.customer_key in (select customer_key from page)
)

select
    p.visited_on,
    date_diff('day', r.previous_on, p.visited_on) as days_since_previous,
    p.branch_id,
    p.branch_name,
    p.region,
    p.branch_type,
    p.channel,
    p.segment,
    p.value,
    p.referred
from page as p
left join previous as r on r.customer_key = p.customer_key and r.visited_on = p.visited_on
-- Order by $sort on p: branch = branch_name, channel, segment | value | visited_on; then visit_key
