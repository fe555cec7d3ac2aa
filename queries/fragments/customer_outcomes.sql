-- Fragment: customer_outcomes (included by complaint_recovery and recovery_times, see store.runner
-- "-- Include:"). One row per identified customer with a visit on record, in one group, decided by what
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
customer_as_of as (
    select max(visited_on) as as_of from rollup_visit_days
),

customer_complaints as (
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
),

customer_first_complaint as (
    select t.customer_key, min(t.opened_on) as first_on
    from rollup_customer_complaints as t
    where t.opened_on between $start and $end
    group by t.customer_key
),

-- With no selection, a customer's first visit in the period is the first of its day whose previous
-- visit day falls before the start (rollup_visit_days); with one, the first that the selections
-- match, by rank.
customer_first_visits as (
    select
        v.customer_key,
        v.branch_id,
        coalesce(v.segment, 'Not recorded') as segment,
        v.visited_on as index_on,
        v.next_on,
        1 as visit_rank
    from rollup_visit_days as v
    where v.visited_on between $start and $end
        and $regions is null and $branch_types is null and $branches is null and $channels is null and $segments is null
        and v.first_of_day
        and (v.previous_on is null or v.previous_on < $start)
    union all
    select
        v.customer_key,
        v.branch_id,
        coalesce(v.segment, 'Not recorded') as segment,
        v.visited_on as index_on,
        v.next_on,
        row_number() over (partition by v.customer_key order by v.visited_on, v.branch_id, v.channel) as visit_rank
    from rollup_visit_days as v
    where v.visited_on between $start and $end
        and not ($regions is null and $branch_types is null and $branches is null and $channels is null and $segments is null)
        -- Selected on v: regions, branch_types, branches, channels, segments
),

customer_index as (
    select k.customer_key, k.branch_id, k.segment, k.index_on, k.outcome, cast(null as date) as next_on
    from customer_complaints as k
    left join customer_first_visits as f on f.customer_key = k.customer_key and f.visit_rank = 1
    where k.complaint_rank = 1
        and (f.customer_key is null or f.index_on >= k.index_on)
    union all
    select f.customer_key, f.branch_id, f.segment, f.index_on, 'none' as outcome, f.next_on
    from customer_first_visits as f
    left join customer_first_complaint as x on x.customer_key = f.customer_key
    where f.visit_rank = 1
        and (x.customer_key is null or x.first_on > f.index_on)
),

-- The next visit of a customer who had not complained is their index visit's next day; a complainer's
-- is the visit day after their complaint's: the one whose previous visit day is on or before it.
customer_next as (
    select i.customer_key, i.branch_id, i.segment, i.index_on, i.outcome, v.visited_on as next_on
    from customer_index as i
    left join rollup_visit_days as v
        on v.customer_key = i.customer_key
        and v.first_of_day
        and v.visited_on > i.index_on
        and (v.previous_on is null or v.previous_on <= i.index_on)
        and v.visited_on > $start
    where i.outcome <> 'none'
    union all
    select i.customer_key, i.branch_id, i.segment, i.index_on, i.outcome, i.next_on
    from customer_index as i
    where i.outcome = 'none'
),

customer_outcomes as (
    select
        n.branch_id,
        n.segment,
        n.outcome,
        date_diff('day', n.index_on, n.next_on) as days_to_next,
        date_diff('day', n.index_on, a.as_of) as days_observed
    from customer_next as n
    cross join customer_as_of as a
    where n.index_on <= a.as_of
)
