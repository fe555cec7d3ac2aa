-- tmp_complaints: every complaint's times and targets as ticket_facts computes them, numbered.
-- complaint_no is the month (yyyymm) times 10^10 plus the complaint's number inside its month: a
-- number made per month, so that Spark numbers each month in a task of its own (a row_number over
-- all complaints would be one task on a cluster).
-- Grain: complaint_no
-- Temporary: read by the handling rollups, dropped after the refresh
select
    (year(tf.opened_on) * 100 + month(tf.opened_on)) * cast(10000000000 as bigint)
    + row_number() over (partition by year(tf.opened_on), month(tf.opened_on) order by tf.ticket_id)
        as complaint_no,
    tf.opened_on,
    tf.branch_id,
    tf.region,
    tf.branch_type,
    tf.channel,
    tf.priority,
    tf.segment,
    tf.category,
    tf.family,
    tf.component_key,
    tf.first_response_minutes,
    tf.resolution_minutes,
    tf.first_response_target,
    tf.resolution_target,
    tf.first_response_open_minutes,
    tf.resolution_open_minutes,
    tf.first_response_judged_minutes,
    tf.resolution_judged_minutes
from ticket_facts as tf
where tf.kind = 'complaint'
