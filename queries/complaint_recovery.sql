-- complaint_recovery: whether customers come back after a complaint, by how it was handled, against
-- customers who did not complain, in two parts read in one pass over the customers (grouping sets):
--   'stratum': per outcome group, branch and segment, so that the page can compare the groups within
--     strata (stats/stratified.py: the Mantel-Haenszel risk difference, adjusted for branch and
--     segment). Returned: a visit on a later day within $return_days days of the index day. Judged:
--     customers whose $return_days-day window ended by the last visit day the store holds; only they
--     enter a return rate.
--   'day': per outcome group and day, the days from the index day to the customer's next visit, as
--     counts for a Kaplan-Meier curve (stats/survival.py): a customer back after d days is an event at
--     d; one not back by the last visit day the store holds is censored at the days observed.
-- Oracle: the rollups' models
-- Grain: one row per outcome, branch and segment with a customer (part 'stratum'), and one per outcome
--   and day with an event or a censoring (part 'day').
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $return_days
-- Columns:
--   part        'stratum' or 'day'
--   outcome     'none' (did not complain), 'within_target', 'late', 'open', 'escalated', 'reopened',
--               'no_target'
--   branch_id, segment   the stratum (part 'stratum'; null in part 'day')
--   customers   customers in the group and stratum
--   judged      of those, whose window closed by the as-of day
--   returned    of the judged, those back within $return_days days
--   days        days to the next visit, or observed without one (part 'day'; null in part 'stratum')
--   back        customers back after exactly `days` days
--   censored    customers not back, observed for `days` days
-- Who is in each group: one row per identified customer with a visit on record, decided by what
-- was known on their index day (their first event in the period):
--   - a complaint group, when their first event in the period is a complaint the selections match
--     (every selection, category and component included): its opening day is the index day, and the
--     group says how it was handled, in this order of precedence: still open (at the data's as-of),
--     escalated, reopened, resolved late (after its resolution target), resolved within target, closed
--     with no target or resolution time to judge;
--   - 'none' (had not complained), when their first event is a visit the branch, channel and segment
--     selections match (visits have no category or component) with no complaint of theirs on or before
--     that day. A later complaint does not move them: a group chosen by what happened after the index
--     day would leave in it only those who had fewer chances to complain, the ones who came back less.
-- A complainer with no visit on record is left out (nothing could show them coming back), as is an index
-- day after the last visit day the store holds (the as-of). The customer's next visit is their first
-- visit on a later day, at any branch; days_observed runs from the index day to the as-of (a customer not
-- back by then is censored there).
-- A customer's first complaint and first visit in the period meet in one join, which places every
-- customer and gives most complainers' next visit as well (customer_index): no table is read twice.
with
-- Include: customer_index_visits (per customer_key; since $start)

-- A customer's first complaint in the period that the selections match (when they have a visit on record),
-- and the day of their first complaint of any.
customer_complaints as (
    select
        x.customer_key,
        x.first_on,
        k.customer_key is not null as matched,
        k.branch_id,
        k.segment,
        k.index_on,
        k.outcome
    from (
        select t.customer_key, min(t.opened_on) as first_on
        from rollup_customer_complaints as t
        where t.opened_on between $start and $end
        group by t.customer_key
    ) as x
    left join (
        select
            t.customer_key,
            t.branch_id,
            t.segment,
            t.opened_on as index_on,
            t.outcome,
            row_number() over (partition by t.customer_key order by t.opened_at, t.ticket_id) as complaint_rank
        from rollup_customer_complaints as t
        where t.opened_on between $start and $end
            and t.customer_key in (select customer_key from rollup_visitors)
            -- Selected on t: regions, branch_types, branches, channels, segments, categories, components
    ) as k on k.customer_key = x.customer_key and k.complaint_rank = 1
),

-- A customer's first visit in the period that the selections match (customer_ranked_visits, above).
customer_first_visits as (
    select
        v.customer_key,
        v.branch_id,
        coalesce(v.segment, 'Not recorded') as segment,
        v.visited_on as index_on,
        v.next_on
    from customer_ranked_visits as v
    where v.visit_rank = 1
),

-- Each customer once: their first complaint the selections match and their first visit, side by side.
customer_firsts as (
    select
        coalesce(k.customer_key, f.customer_key) as customer_key,
        k.first_on,
        k.branch_id as complaint_branch_id,
        k.segment as complaint_segment,
        k.index_on as complained_on,
        k.outcome,
        f.customer_key is not null as visited,
        f.branch_id,
        f.segment,
        f.index_on,
        f.next_on,
        coalesce(k.matched, false) and (f.customer_key is null or f.index_on >= k.index_on) as complained,
        $regions is null and $branch_types is null and $branches is null and $channels is null and $segments is null
            as every_visit
    from customer_complaints as k
    full join customer_first_visits as f on f.customer_key = k.customer_key
),

-- Each customer's group and index day. A complainer's next visit, with no visit selection: their first
-- visit in the period when it came after the complaint's day (none can fall between), or that visit's
-- next day when it was the same day. With no visit in the period, or a selection that skips visits, it
-- is looked up (look_up) in customer_next.
customer_index as (
    select
        x.customer_key,
        case when x.complained then x.complaint_branch_id else x.branch_id end as branch_id,
        case when x.complained then x.complaint_segment else x.segment end as segment,
        case when x.complained then x.complained_on else x.index_on end as index_on,
        case when x.complained then x.outcome else 'none' end as outcome,
        case
            when not x.complained then x.next_on
            when not x.visited or not x.every_visit then null
            when x.index_on > x.complained_on then x.index_on
            else x.next_on
        end as next_on,
        x.complained and (not x.visited or not x.every_visit) as look_up
    from customer_firsts as x
    where x.complained or (x.visited and (x.first_on is null or x.first_on > x.index_on))
),

-- The next visit looked up: the visit day after the index day, the one whose previous visit day is on or
-- before it (after the period's end when the customer has no visit in it and no selection skips visits).
customer_next as (
    select i.branch_id, i.segment, i.index_on, i.outcome, coalesce(i.next_on, v.visited_on) as next_on
    from customer_index as i
    left join rollup_visit_days as v
        on v.customer_key = (case when i.look_up then i.customer_key end)
        and v.first_of_day
        and v.visited_on > i.index_on
        and (v.previous_on is null or v.previous_on <= i.index_on)
        and v.visited_on > (case when $regions is null and $branch_types is null and $branches is null and $channels is null and $segments is null then $end else $start end)
),

customer_outcomes as (
    select
        n.branch_id,
        n.segment,
        n.outcome,
        date_diff('day', n.index_on, n.next_on) as days_to_next,
        date_diff('day', n.index_on, a.as_of) as days_observed
    from customer_next as n
    cross join customer_visits_as_of as a
    where n.index_on <= a.as_of
)

select
    case when grouping(o.days) = 1 then 'stratum' else 'day' end as part,
    o.outcome,
    o.branch_id,
    o.segment,
    case when grouping(o.days) = 1 then count(*) end as customers,
    case when grouping(o.days) = 1 then count(case when o.days_observed >= $return_days then 1 end) end as judged,
    case
        when grouping(o.days) = 1
            then count(case when o.days_observed >= $return_days and o.days_to_next <= $return_days then 1 end)
    end as returned,
    o.days,
    case when grouping(o.days) = 0 then count(o.days_to_next) end as back,
    case when grouping(o.days) = 0 then count(case when o.days_to_next is null then 1 end) end as censored
from (select c.*, coalesce(c.days_to_next, c.days_observed) as days from customer_outcomes as c) as o
group by grouping sets ((o.outcome, o.branch_id, o.segment), (o.outcome, o.days))
order by part desc, o.outcome, o.branch_id, o.segment, o.days
