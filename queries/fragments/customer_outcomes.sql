-- Fragment: customer_outcomes (included by complaint_recovery and recovery_times, see store.runner
-- "-- Include:"). One row per identified customer in the period, in one of two groups:
--   - customers who complained: their first complaint in the period that the selections match (every
--     selection, category and component included), with how it was handled, in this order of
--     precedence: still open (at the data's as-of), escalated, reopened, resolved late (after its
--     resolution target), resolved within target, resolved with no target set;
--   - customers who did not complain in the period (no complaint at all, whatever the selections):
--     their first visit in the period that the branch, channel and segment selections match (visits
--     have no category or component). outcome = 'none'.
-- The index day is the complaint's opening day or the first visit's day; the customer's next visit is
-- their first visit on a later day, at any branch; days_observed runs from the index day to the last
-- visit day the store holds (the as-of: a customer not back by then is censored there).
customer_as_of as (
    select max(visited_on) as as_of from visits
),

customer_complaints as (
    select
        c.customer_key,
        t.branch_id,
        t.segment,
        t.opened_on as index_on,
        case
            when t.status = 'open' then 'open'
            when t.escalated then 'escalated'
            when t.reopened_count > 0 then 'reopened'
            when t.resolution_judged_minutes > t.resolution_target then 'late'
            when t.resolution_judged_minutes <= t.resolution_target then 'within_target'
            else 'no_target'
        end as outcome,
        row_number() over (partition by c.customer_key order by t.opened_at, t.ticket_id) as complaint_rank
    from ticket_customers as c
    join ticket_facts as t on t.ticket_id = c.ticket_id
    where t.kind = 'complaint'
        and t.opened_on between $start and $end
        -- Selected on t: regions, branch_types, branches, channels, segments, categories, components
),

customer_complained_any as (
    select distinct c.customer_key
    from ticket_customers as c
    join tickets as t on t.ticket_id = c.ticket_id
    where t.kind = 'complaint'
        and cast(t.opened_at as date) between $start and $end
),

customer_first_visits as (
    select
        v.customer_key,
        v.branch_id,
        coalesce(v.segment, 'Not recorded') as segment,
        v.visited_on as index_on,
        row_number() over (partition by v.customer_key order by v.visited_on, v.branch_id, v.channel) as visit_rank
    from visits as v
    join branches as b on b.branch_id = v.branch_id
    where v.visited_on between $start and $end
        -- Selected on b: regions, branch_types; on v: branches, channels, segments
),

customer_index as (
    select customer_key, branch_id, segment, index_on, outcome
    from customer_complaints
    where complaint_rank = 1
    union all
    select f.customer_key, f.branch_id, f.segment, f.index_on, 'none' as outcome
    from customer_first_visits as f
    left join customer_complained_any as x on x.customer_key = f.customer_key
    where f.visit_rank = 1 and x.customer_key is null
),

customer_next as (
    select i.customer_key, i.branch_id, i.segment, i.index_on, i.outcome, min(v.visited_on) as next_on
    from customer_index as i
    left join visits as v on v.customer_key = i.customer_key and v.visited_on > i.index_on
    group by i.customer_key, i.branch_id, i.segment, i.index_on, i.outcome
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
)
