-- Fragment: customer_index_visits (included by customer_returns, customer_returns_months and
-- explore_returns, see store.runner "-- Include:"). Each identified customer's first visit that the
-- selections match, per {per} (customer_key: their first in the period; customer_key, visit_month: their
-- first in each month, for series month by month, where a customer's first visit in the whole period
-- would fill the first month with every regular and leave later months the rarer ones), with whether
-- they came back: judged when the $return_days-day window after it ended by the last visit day the store
-- holds (as_of); back when their next visit, on a later day and at any branch, is within $return_days
-- days of it (null when there is none).
customer_visit_days as (
    select d.customer_key, d.visited_on, lead(d.visited_on) over (partition by d.customer_key order by d.visited_on) as next_on
    from (select distinct customer_key, visited_on from visits) as d
),

customer_chosen_visits as (
    select
        v.customer_key,
        v.branch_id,
        b.region,
        b.branch_type,
        v.channel,
        v.segment,
        v.visited_on,
        v.referred,
        cast(date_trunc('month', v.visited_on) as date) as visit_month
    from visits as v
    join branches as b on b.branch_id = v.branch_id
    where v.visited_on between $start and $end
        -- Selected on b: regions, branch_types; on v: branches, channels, segments
),

customer_ranked_visits as (
    select
        c.*,
        row_number() over (partition by {per} order by c.visited_on, c.branch_id, c.channel) as visit_rank
    from customer_chosen_visits as c
),

customer_visits_as_of as (
    select max(visited_on) as as_of from visits
),

customer_index_visits as (
    select
        i.branch_id,
        i.region,
        i.branch_type,
        i.channel,
        i.segment,
        i.visited_on,
        i.visit_month,
        i.referred,
        a.as_of,
        date_diff('day', i.visited_on, a.as_of) >= $return_days as judged,
        date_diff('day', i.visited_on, d.next_on) <= $return_days as back
    from customer_ranked_visits as i
    join customer_visit_days as d on d.customer_key = i.customer_key and d.visited_on = i.visited_on
    cross join customer_visits_as_of as a
    where i.visit_rank = 1
)
