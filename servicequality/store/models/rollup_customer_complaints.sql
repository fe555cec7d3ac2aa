-- rollup_customer_complaints: every complaint of an identified customer (ticket_customers), with the
-- columns the sidebar selections filter, how it was handled (in this order of precedence: still open,
-- escalated, reopened, resolved late, within its resolution target, no target or time to judge; none
-- of these moves once the complaint is stored), in date order. The customer queries read it instead of
-- joining the customers with every ticket (queries/complaint_recovery.sql).
-- Grain: complaint
-- Order: opened_on, branch_id
-- Partition: day opened_on
select
    c.customer_key,
    t.ticket_id,
    t.opened_at,
    t.opened_on,
    t.branch_id,
    t.region,
    t.branch_type,
    t.channel,
    t.segment,
    t.category,
    t.component_key,
    case
        when t.status = 'open' then 'open'
        when t.escalated then 'escalated'
        when t.reopened_count > 0 then 'reopened'
        when t.resolution_judged_minutes > t.resolution_target then 'late'
        when t.resolution_judged_minutes <= t.resolution_target then 'within_target'
        else 'no_target'
    end as outcome
from ticket_customers as c
join ticket_facts as t on t.ticket_id = c.ticket_id
where t.kind = 'complaint'
