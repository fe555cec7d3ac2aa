-- rollup_visit_days: every visit of an identified customer (visits), with its branch's region and type,
-- and the customer's visit days around it: the day of their previous visit and of their next one (on
-- another day, at any branch; null when there is none), and whether it comes first among their visits
-- of its day (by branch, then channel). A customer's first visit in a period (or a month) is then the
-- first of its day whose previous visit day falls before the period's start, found without ranking
-- every visit (queries/fragments/customer_index_visits.sql).
-- Not partitioned: a new visit changes the next day of the customer's earlier visit, so an import of
-- visits rebuilds this table whole.
-- Grain: visit
-- Order: visited_on
with visit_days as (
    select
        d.customer_key,
        d.visited_on,
        lag(d.visited_on) over (partition by d.customer_key order by d.visited_on) as previous_on,
        lead(d.visited_on) over (partition by d.customer_key order by d.visited_on) as next_on
    from (select distinct customer_key, visited_on from visits) as d
)

select
    v.customer_key,
    v.branch_id,
    b.region,
    b.branch_type,
    v.channel,
    v.segment,
    v.visited_on,
    cast(date_trunc('month', v.visited_on) as date) as visit_month,
    v.referred,
    d.previous_on,
    d.next_on,
    row_number() over (partition by v.customer_key, v.visited_on order by v.branch_id, v.channel) = 1 as first_of_day
from visits as v
join branches as b on b.branch_id = v.branch_id
join visit_days as d on d.customer_key = v.customer_key and d.visited_on = v.visited_on
