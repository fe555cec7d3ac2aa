-- Fragment: customer_index_visits (included by customer_returns, customer_returns_months,
-- explore_returns and complaint_recovery, see store.runner "-- Include:"; complaint_recovery reads the
-- first visits of customer_ranked_visits and the as-of day). Each identified customer's first visit
-- that the selections match, per {per} (customer_key: their first in the period; customer_key, visit_month: their
-- first in each month, for series month by month, where a customer's first visit in the whole period
-- would fill the first month with every regular and leave later months the rarer ones), with whether
-- they came back: judged when the $return_days-day window after it ended by the last visit day the store
-- holds (as_of); back when their next visit, on a later day and at any branch, is within $return_days
-- days of it (null when there is none).
-- With no selection, a customer's first visit in the period (or month) is the first of its day whose
-- previous visit day falls before {since} (rollup_visit_days); with one, the first that the selections
-- match, by rank.
customer_ranked_visits as (
    select v.*, 1 as visit_rank
    from rollup_visit_days as v
    where v.visited_on between $start and $end
        and $regions is null and $branch_types is null and $branches is null and $channels is null and $segments is null
        and v.first_of_day
        and (v.previous_on is null or v.previous_on < {since})
    union all
    select
        v.*,
        row_number() over (partition by {per} order by v.visited_on, v.branch_id, v.channel) as visit_rank
    from rollup_visit_days as v
    where v.visited_on between $start and $end
        and not ($regions is null and $branch_types is null and $branches is null and $channels is null and $segments is null)
        -- Selected on v: regions, branch_types, branches, channels, segments
),

customer_visits_as_of as (
    select max(visited_on) as as_of from rollup_visit_days
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
        date_diff('day', i.visited_on, i.next_on) <= $return_days as back
    from customer_ranked_visits as i
    cross join customer_visits_as_of as a
    where i.visit_rank = 1
)
